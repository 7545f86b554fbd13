import { useState } from 'preact/hooks';
import type { Endpoint } from '../portal.api.js';
import { EndpointForm } from '../endpoint-form.js';
import { AttemptChart } from '../attempt-chart.js';
import { failingWords, loadHealth, successRate, totalOf, WINDOWS, type WindowName } from '../attempt-stats.js';
import { useCan, useLoad, usePortal, type Loaded } from '../portal.hooks.js';
import { Link } from '../portal.router.js';
import { ActionButton, Code, ConfirmButton, CopyButton, EnabledBadge, Load, Notice } from '../portal.ui.js';
import { AttemptsTab } from './endpoint-attempts.js';
import { HeadersSection, DeleteSection } from './endpoint-settings.js';
import { TestingTab } from './endpoint-testing.js';
import { TransformationTab } from './endpoint-transformation.js';

const TABS = [
  { path: '', label: 'Overview' },
  { path: 'attempts', label: 'Attempts' },
  { path: 'testing', label: 'Testing' },
  { path: 'transformation', label: 'Transformation' },
  { path: 'settings', label: 'Headers & deletion' },
] as const;

/** One endpoint, in tabs: overview, attempts, testing, its transformation (for those who may change it), headers and deletion. */
export function EndpointPage({ id, tab = '' }: { id: string; tab?: string }) {
  const { api } = usePortal();
  const can = useCan();
  const endpoint = useLoad(() => api.endpoint(id), [id]);
  const tabs = TABS.filter((item) => item.path !== 'transformation' || can('transform'));
  return (
    <>
      <p class="crumbs">
        <Link to="/">Endpoints</Link>
      </p>
      <Load state={endpoint} label="Loading the endpoint…">
        {(data) => (
          <>
            <div class="page-head">
              <h1 tabIndex={-1} class="endpoint-title">
                {data.url}
              </h1>
              <EnabledBadge disabled={data.disabled} />
            </div>
            {data.description && <p class="lead">{data.description}</p>}
            <nav class="tabs" aria-label="Endpoint sections">
              {tabs.map((item) => (
                <Link key={item.path} to={`/endpoints/${id}${item.path && `/${item.path}`}`} class="tab" aria-current={item.path === tab ? 'page' : undefined}>
                  {item.label}
                </Link>
              ))}
            </nav>
            <EndpointTab tab={tab} endpoint={data} state={endpoint} />
          </>
        )}
      </Load>
    </>
  );
}

function EndpointTab({ tab, endpoint, state }: { tab: string; endpoint: Endpoint; state: Loaded<Endpoint> }) {
  switch (tab) {
    case 'attempts':
      return <AttemptsTab endpoint={endpoint} />;
    case 'testing':
      return <TestingTab endpoint={endpoint} />;
    case 'transformation':
      return <TransformationTab endpoint={endpoint} />;
    case 'settings':
      return (
        <>
          <HeadersSection endpoint={endpoint} />
          <DeleteSection endpoint={endpoint} />
        </>
      );
    case '':
      return <Overview endpoint={endpoint} reload={state.reload} />;
    default:
      return <Notice kind="error">There is no “{tab}” section.</Notice>;
  }
}

function Overview({ endpoint, reload }: { endpoint: Endpoint; reload: () => void }) {
  const { api } = usePortal();
  const can = useCan();
  const [saved, setSaved] = useState(false);
  return (
    <div class="sections">
      <section class="section" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <StatusSection endpoint={endpoint} reload={reload} />
      </section>
      <section class="section" aria-labelledby="activity-heading">
        <h2 id="activity-heading">Activity</h2>
        <Activity endpoint={endpoint} />
      </section>
      {can('viewSecret') && (
        <section class="section" aria-labelledby="secret-heading">
          <h2 id="secret-heading">Signing secret</h2>
          <SecretSection endpoint={endpoint} />
        </section>
      )}
      {can('manage') && (
        <section class="section" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          {saved && <Notice>Changes saved.</Notice>}
          <EndpointForm
            key={endpoint.updatedAt}
            endpoint={endpoint}
            submitLabel="Save changes"
            onSubmit={async (input) => {
              setSaved(false);
              await api.updateEndpoint(endpoint.id, input);
              setSaved(true);
              reload();
            }}
          />
        </section>
      )}
    </div>
  );
}

function StatusSection({ endpoint, reload }: { endpoint: Endpoint; reload: () => void }) {
  const { api } = usePortal();
  const can = useCan();
  const toggle = async () => {
    await api.updateEndpoint(endpoint.id, { disabled: !endpoint.disabled });
    reload();
  };
  return (
    <>
      {endpoint.disabled ? (
        <p data-testid="endpoint-status">
          Disabled: <strong>{endpoint.disabledReason ?? 'no reason recorded'}</strong>. Nothing is sent to it until it is enabled again.
        </p>
      ) : (
        <p data-testid="endpoint-status">Enabled: webhooks are sent to it.</p>
      )}
      {can('manage') && (
        <ActionButton kind={endpoint.disabled ? 'primary' : 'plain'} run={toggle}>
          {endpoint.disabled ? 'Enable endpoint' : 'Disable endpoint'}
        </ActionButton>
      )}
    </>
  );
}

/**
 * How the endpoint is doing: attempts per hour over the window chosen (the statistics API's numbers), their
 * success rate, and its deliveries waiting for a retry or given up; in words when it is failing now.
 */
function Activity({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const [span, setSpan] = useState<WindowName>('day');
  const health = useLoad(() => loadHealth(api, endpoint.id, span), [endpoint.id, endpoint.updatedAt, span]);
  return (
    <>
      <div class="activity-controls">
        <div class="segmented" role="group" aria-label="Window">
          {(Object.keys(WINDOWS) as WindowName[]).map((name) => (
            <button type="button" key={name} class="button" aria-pressed={name === span} onClick={() => setSpan(name)}>
              Last {WINDOWS[name].label}
            </button>
          ))}
        </div>
        <button type="button" class="button" onClick={health.reload} disabled={health.loading}>
          Refresh
        </button>
      </div>
      <Load state={health} label="Counting attempts…">
        {({ stats, periods }) => {
          const attempts = totalOf(periods);
          const rate = successRate(attempts);
          const failing = endpoint.disabled ? null : failingWords(stats, Date.now());
          return (
            <>
              {failing && (
                <p class="health-failing" data-testid="endpoint-health">
                  {failing}
                </p>
              )}
              <dl class="stats stats-activity">
                <div>
                  <dt>Success rate</dt>
                  <dd data-testid="activity-rate">{rate === null ? 'No attempts' : `${rate} %`}</dd>
                </div>
                <div>
                  <dt>Attempts succeeded</dt>
                  <dd data-testid="attempts-succeeded">{attempts.success}</dd>
                </div>
                <div>
                  <dt>Attempts failed</dt>
                  <dd data-testid="attempts-failed">{attempts.failure}</dd>
                </div>
                <div>
                  <dt>Deliveries pending</dt>
                  <dd data-testid="deliveries-pending">{stats.pending + stats.sending}</dd>
                </div>
                <div>
                  <dt>Deliveries failed</dt>
                  <dd data-testid="deliveries-failed">{stats.fail}</dd>
                </div>
              </dl>
              <p class="hint">
                Attempts: every try in the last {WINDOWS[span].label}, retries included. Deliveries: messages still waiting for their next try, or
                given up after their last retry, whenever they were sent.
              </p>
              <AttemptChart periods={periods} title={`Attempts per hour, last ${WINDOWS[span].label}`} />
            </>
          );
        }}
      </Load>
    </>
  );
}

/** Hidden until asked for: the secret is only fetched when "Reveal" is pressed. */
function SecretSection({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const can = useCan();
  const [secret, setSecret] = useState<string>();
  const [rotated, setRotated] = useState(false);
  return (
    <>
      <p class="hint">Verify each webhook's signature with this key (Standard Webhooks, as the Svix libraries do). With asymmetric signing it is the public key; the private one never leaves Homing.</p>
      {rotated && <Notice>Secret rotated. The previous one keeps signing alongside it for 24 hours.</Notice>}
      <div class="secret-row">
        {secret ? <Code text={secret} label="Secret value" /> : <code class="secret-mask" aria-label="Secret value, hidden">••••••••••••••••••••••••••••••</code>}
        {secret ? (
          <>
            <CopyButton text={secret} />
            <button type="button" class="button" onClick={() => setSecret(undefined)}>
              Hide
            </button>
          </>
        ) : (
          <ActionButton run={async () => setSecret((await api.secret(endpoint.id)).key)} busy="Revealing…">
            Reveal
          </ActionButton>
        )}
      </div>
      {can('rotateSecret') && (
        <ConfirmButton
          question="Rotate the secret? Receivers need the new one within 24 hours."
          run={async () => {
            await api.rotateSecret(endpoint.id);
            setRotated(true);
            if (secret) setSecret((await api.secret(endpoint.id)).key);
          }}
        >
          Rotate secret
        </ConfirmButton>
      )}
    </>
  );
}
