import { useState } from 'preact/hooks';
import { STATUS, type Attempt, type Endpoint } from '../portal.api.js';
import { formatDuration, formatTime, toLocalInput } from '../portal.format.js';
import { poll, useCan, useLoad, usePortal } from '../portal.hooks.js';
import { Link } from '../portal.router.js';
import { ActionButton, Empty, Load, Notice, StatusBadge } from '../portal.ui.js';

const FILTERS = [
  { value: '', label: 'All attempts' },
  { value: String(STATUS.success), label: 'Succeeded' },
  { value: String(STATUS.fail), label: 'Failed' },
];

/** The endpoint's attempts, newest first, by status; and recovery of its failed messages. */
export function AttemptsTab({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const can = useCan();
  const [filter, setFilter] = useState('');
  const status = filter === '' ? undefined : Number(filter);
  const first = useLoad(() => api.endpointAttempts(endpoint.id, { status }), [endpoint.id, filter]);
  // Pages after the first, fetched with "Show older"; a new first page starts over.
  const [older, setOlder] = useState<{ for: unknown; attempts: Attempt[]; iterator: string | null; done: boolean }>();
  const more = older?.for === first.data ? older : undefined;
  const showOlder = async () => {
    const page = await api.endpointAttempts(endpoint.id, { status, iterator: more ? more.iterator : first.data!.iterator });
    setOlder({ for: first.data, attempts: [...(more?.attempts ?? []), ...page.data], iterator: page.iterator, done: page.done });
  };
  return (
    <div class="sections">
      <section class="section" aria-labelledby="attempts-heading">
        <div class="section-head">
          <h2 id="attempts-heading">Attempts</h2>
          <div class="toolbar">
            <label class="field field-inline">
              <span>Status</span>
              <select name="status" value={filter} onChange={(event) => setFilter(event.currentTarget.value)}>
                {FILTERS.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="button" onClick={first.reload} disabled={first.loading} aria-busy={first.loading}>
              {first.loading && first.data ? 'Refreshing…' : 'Refresh'}
            </button>
          </div>
        </div>
        <Load state={first} label="Loading attempts…">
          {(page) => {
            const attempts = [...page.data, ...(more?.attempts ?? [])];
            if (!attempts.length) {
              return <Empty title={filter ? 'No attempts with this status' : 'No attempts yet'}>{!filter && <p>Send an example from the Testing tab to make one.</p>}</Empty>;
            }
            return (
              <>
                <AttemptsTable attempts={attempts} />
                {!(more ? more.done : page.done) && (
                  <ActionButton run={showOlder} busy="Loading…">
                    Show older attempts
                  </ActionButton>
                )}
              </>
            );
          }}
        </Load>
      </section>
      {can('attempt') && (
        <section class="section" aria-labelledby="recover-heading">
          <h2 id="recover-heading">Recover failed messages</h2>
          <Recover endpoint={endpoint} onDone={first.reload} />
        </section>
      )}
    </div>
  );
}

function AttemptsTable({ attempts }: { attempts: Attempt[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Attempts">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Code</th>
            <th scope="col">Event type</th>
            <th scope="col">Time</th>
            <th scope="col">Duration</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.id} data-testid="attempt-row">
              <td>
                <StatusBadge status={attempt.status} />
              </td>
              <td class="numeric">{attempt.responseStatusCode || 'none'}</td>
              <td>
                <code>{attempt.msg?.eventType ?? '—'}</code>
              </td>
              <td>{formatTime(attempt.timestamp)}</td>
              <td class="numeric">{formatDuration(attempt.responseDurationMs)}</td>
              <td>
                <Link to={`/messages/${attempt.msgId}`}>View</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Sends again every failed delivery to this endpoint of messages created since a chosen time. */
function Recover({ endpoint, onDone }: { endpoint: Endpoint; onDone: () => void }) {
  const { api } = usePortal();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [result, setResult] = useState<string>();
  const recover = async () => {
    setResult(undefined);
    const started = await api.recover(endpoint.id, new Date(since));
    const task = await poll(() => api.task(started.id), (current) => current.status !== 'running', { timeout: 60_000 });
    if (task.status === 'failed') throw new Error(`The recovery failed${task.data.error ? `: ${task.data.error}` : '.'}`);
    setResult(
      task.status === 'running'
        ? 'The recovery is still running; refresh the attempts in a moment.'
        : `Recovery done: ${task.data.messagesSent ?? 0} failed message(s) sent again.`,
    );
    onDone();
  };
  return (
    <>
      <p class="hint">Sends again every message that failed to reach this endpoint, from the time you choose until now.</p>
      {result && <Notice>{result}</Notice>}
      <div class="toolbar">
        <label class="field field-inline">
          <span>Since</span>
          <input type="datetime-local" name="since" required value={since} max={toLocalInput(new Date())} onInput={(event) => setSince(event.currentTarget.value)} />
        </label>
        <ActionButton kind="primary" run={recover} busy="Recovering…" disabled={!since}>
          Recover failed messages
        </ActionButton>
      </div>
    </>
  );
}
