import type { Endpoint } from '../portal.api.js';
import { EndpointForm } from '../endpoint-form.js';
import { eventTypesSummary, successRate } from '../portal.format.js';
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
  const stats = useLoad(() => api.stats(endpoint.id), [endpoint.id]);
  const rate = stats.data && successRate(stats.data);
  return (
    <li class="card endpoint-card">
      <div class="endpoint-card-main">
        <Link to={`/endpoints/${endpoint.id}`} class="endpoint-url">
          {endpoint.url}
        </Link>
        {endpoint.description && <p class="muted">{endpoint.description}</p>}
        <p class="muted small">{eventTypesSummary(endpoint.eventTypes)}</p>
      </div>
      <dl class="endpoint-card-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <EnabledBadge disabled={endpoint.disabled} />
          </dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd data-testid="success-rate">{stats.error ? 'unavailable' : stats.data === undefined ? '…' : rate === null ? 'No deliveries yet' : `${rate} %`}</dd>
        </div>
      </dl>
    </li>
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
