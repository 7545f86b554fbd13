import type { Endpoint } from '../portal.api.js';
import { EndpointForm } from '../endpoint-form.js';
import { Sparkline } from '../attempt-chart.js';
import { failingWords, hasDeliveries, loadHealth, successRate, totalOf, type EndpointHealth } from '../attempt-stats.js';
import { eventTypesSummary } from '../portal.format.js';
import { useCan, useLoad, usePortal } from '../portal.hooks.js';
import { Link, navigate } from '../portal.router.js';
import { Empty, EnabledBadge, Load } from '../portal.ui.js';

/** Every endpoint of the application, with its status and success rate. */
export function EndpointsPage() {
  const { api } = usePortal();
  const can = useCan();
  const endpoints = useLoad(() => api.endpoints(), []);
  const add = can('manage') && (
    <Link to="/endpoints/new" class="button button-primary">
      Add endpoint
    </Link>
  );
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Endpoints</h1>
        {add}
      </div>
      <p class="lead">The URLs webhooks are sent to. Open one to see its deliveries, test it or change it.</p>
      <Load state={endpoints} label="Loading endpoints…">
        {(page) =>
          page.data.length ? (
            <ul class="cards" aria-label="Endpoints">
              {page.data.map((endpoint) => (
                <EndpointCard endpoint={endpoint} key={endpoint.id} />
              ))}
            </ul>
          ) : (
            <Empty title="No endpoints yet">
              <p>Add an endpoint to start receiving webhooks.</p>
              {add}
            </Empty>
          )
        }
      </Load>
    </>
  );
}

function EndpointCard({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const health = useLoad(() => loadHealth(api, endpoint.id, 'day'), [endpoint.id]);
  const failing = health.data && !endpoint.disabled ? failingWords(health.data.stats, Date.now()) : null;
  return (
    <li class="card endpoint-card">
      <div class="endpoint-card-main">
        <Link to={`/endpoints/${endpoint.id}`} class="endpoint-url">
          {endpoint.url}
        </Link>
        {endpoint.description && <p class="muted">{endpoint.description}</p>}
        <p class="muted small">{eventTypesSummary(endpoint.eventTypes)}</p>
        {failing && (
          <p class="health-failing" data-testid="endpoint-health">
            {failing}
          </p>
        )}
      </div>
      <dl class="endpoint-card-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <EnabledBadge disabled={endpoint.disabled} />
          </dd>
        </div>
        <div>
          <dt>Last 24 h</dt>
          <dd class="last-day" data-testid="success-rate">
            {health.error ? 'unavailable' : health.data === undefined ? '…' : <LastDay health={health.data} />}
          </dd>
        </div>
      </dl>
    </li>
  );
}

/** The last 24 hours' attempts as a sparkline and their success rate; "No deliveries yet" only for an endpoint never sent anything. */
function LastDay({ health }: { health: EndpointHealth }) {
  if (!hasDeliveries(health.stats)) return <>No deliveries yet</>;
  const rate = successRate(totalOf(health.periods));
  return (
    <>
      <Sparkline periods={health.periods} label="Attempts per hour, last 24 hours" />
      <span>{rate === null ? 'No attempts' : `${rate} %`}</span>
    </>
  );
}

export function NewEndpointPage() {
  const { api } = usePortal();
  return (
    <>
      <p class="crumbs">
        <Link to="/">Endpoints</Link>
      </p>
      <h1 tabIndex={-1}>Add an endpoint</h1>
      <p class="lead">Webhooks are sent as signed HTTP POST requests to this URL.</p>
      <EndpointForm submitLabel="Create endpoint" onSubmit={async (input) => navigate(`/endpoints/${(await api.createEndpoint(input)).id}`)} />
    </>
  );
}
