import { useEffect, useState } from 'preact/hooks';
import { attemptQuery, isFiltered, readFilters, writeFilters, type AttemptFilters, type StatusName, type TimeWindow } from '../attempt-filters.js';
import { attemptReason } from '../attempt-reason.js';
import { ApiError, STATUS, type Attempt, type Endpoint, type Page, type PortalApi } from '../portal.api.js';
import { formatDuration, formatTime, toLocalInput } from '../portal.format.js';
import { poll, useCan, useLoad, usePortal } from '../portal.hooks.js';
import { Link } from '../portal.router.js';
import { ActionButton, Empty, Load, Notice, StatusBadge } from '../portal.ui.js';

const STATUSES: { value: StatusName | ''; label: string }[] = [
  { value: '', label: 'All attempts' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'canceled', label: 'Cancelled' },
];

const WINDOWS: { value: TimeWindow | ''; label: string }[] = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom range' },
];

/** A page of attempts; `missing` when the message searched for does not exist. */
type AttemptsPage = Page<Attempt> & { missing?: boolean };

/**
 * The endpoint's attempts, newest first, narrowed by status, event type, time and message; and the
 * recovery of what failed or still waits on a retry.
 */
export function AttemptsTab({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const can = useCan();
  const [filters, setFilters] = useState(() => readFilters(location.search));
  // In the address, so a filtered view can be shared and survives a reload.
  useEffect(() => history.replaceState(history.state, '', location.pathname + writeFilters(location.search, filters)), [filters]);
  const fetchPage = (iterator?: string | null) => attemptsPage(api, endpoint.id, filters, iterator);
  const first = useLoad(() => fetchPage(), [endpoint.id, filters]);
  // Pages after the first, fetched with "Show older"; a new first page starts over.
  const [older, setOlder] = useState<{ for: unknown; attempts: Attempt[]; iterator: string | null; done: boolean }>();
  const more = older?.for === first.data ? older : undefined;
  const showOlder = async () => {
    const page = await fetchPage(more ? more.iterator : first.data!.iterator);
    setOlder({ for: first.data, attempts: [...(more?.attempts ?? []), ...page.data], iterator: page.iterator, done: page.done });
  };
  // Counted again with each refresh of the list: what recovery would send changes as attempts are made.
  const [round, setRound] = useState(0);
  const refresh = () => {
    first.reload();
    setRound((value) => value + 1);
  };
  return (
    <div class="sections">
      <section class="section" aria-labelledby="attempts-heading">
        <div class="section-head">
          <h2 id="attempts-heading">Attempts</h2>
          <button type="button" class="button" onClick={refresh} disabled={first.loading} aria-busy={first.loading}>
            {first.loading && first.data ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        <Filters filters={filters} onChange={setFilters} />
        <Load state={first} label="Loading attempts…">
          {(page) => {
            const attempts = [...page.data, ...(more?.attempts ?? [])];
            if (!attempts.length) return <NoAttempts page={page} filters={filters} clear={() => setFilters({})} />;
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
          <h2 id="recover-heading">Send again</h2>
          <Recovery endpoint={endpoint} round={round} onDone={refresh} />
        </section>
      )}
    </div>
  );
}

/**
 * A page of the endpoint's attempts that match the filters. A message id or eventId is looked up first
 * (the message operation takes either), then that message's attempts to this endpoint are listed.
 */
async function attemptsPage(api: PortalApi, endpointId: string, filters: AttemptFilters, iterator?: string | null): Promise<AttemptsPage> {
  const query = { ...attemptQuery(filters, Date.now()), iterator };
  if (!filters.msg) return api.endpointAttempts(endpointId, query);
  const message = await api.message(filters.msg).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  if (!message) return { data: [], iterator: null, prevIterator: null, done: true, missing: true };
  const page = await api.messageAttempts(message.id, endpointId, query);
  return { ...page, data: page.data.map((attempt) => ({ ...attempt, msg: message })) };
}

function Filters({ filters, onChange }: { filters: AttemptFilters; onChange: (filters: AttemptFilters) => void }) {
  const { catalogue } = usePortal();
  const [search, setSearch] = useState(filters.msg ?? '');
  useEffect(() => setSearch(filters.msg ?? ''), [filters.msg]);
  const set = (change: Partial<AttemptFilters>) => onChange({ ...filters, ...change });
  const eventTypes = catalogue.data?.data.map((type) => type.name) ?? [];
  // A type in a shared link that this catalogue lacks (deleted since) still shows as chosen.
  if (filters.eventType && !eventTypes.includes(filters.eventType)) eventTypes.push(filters.eventType);
  const setWindow = (window: TimeWindow | '') => {
    // A custom range starts as the last 24 hours, to be narrowed.
    const since = window === 'custom' ? (filters.since ?? new Date(Date.now() - 86_400_000).toISOString()) : undefined;
    set({ window: window || undefined, since, until: window === 'custom' ? filters.until : undefined });
  };
  const time = (value: string) => (value ? new Date(value).toISOString() : undefined);
  return (
    <div class="attempt-filters">
      <div class="attempt-filters-row">
        <Choice label="Status" name="status" value={filters.status ?? ''} options={STATUSES} onChange={(status) => set({ status: status || undefined })} />
        <Choice
          label="Event type"
          name="event_type"
          value={filters.eventType ?? ''}
          options={[{ value: '', label: 'All event types' }, ...eventTypes.map((name) => ({ value: name, label: name }))]}
          onChange={(eventType) => set({ eventType: eventType || undefined })}
        />
        <Choice label="Time" name="window" value={filters.window ?? ''} options={WINDOWS} onChange={setWindow} />
        {filters.window === 'custom' && (
          <>
            <label class="field attempt-time">
              <span>From</span>
              <input type="datetime-local" name="since" value={filters.since ? toLocalInput(new Date(filters.since)) : ''} onChange={(event) => set({ since: time(event.currentTarget.value) })} />
            </label>
            <label class="field attempt-time">
              <span>To</span>
              <input type="datetime-local" name="until" value={filters.until ? toLocalInput(new Date(filters.until)) : ''} onChange={(event) => set({ until: time(event.currentTarget.value) })} />
            </label>
          </>
        )}
      </div>
      <form
        class="attempt-filters-row"
        role="search"
        aria-label="Find a message's attempts"
        onSubmit={(event) => {
          event.preventDefault();
          set({ msg: search.trim() || undefined });
        }}
      >
        <label class="field attempt-search">
          <span>Message ID or event ID</span>
          <input type="search" name="msg" value={search} placeholder="msg_… or your eventId" onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        <button type="submit" class="button">
          Find
        </button>
        {isFiltered(filters) && (
          <button type="button" class="button" onClick={() => onChange({})}>
            Clear filters
          </button>
        )}
      </form>
    </div>
  );
}

/** A labelled select of `options`; '' is the option that does not filter. */
function Choice<T extends string>(props: { label: string; name: string; value: T | ''; options: { value: T | ''; label: string }[]; onChange: (value: T | '') => void }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value as T | '')}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function NoAttempts({ page, filters, clear }: { page: AttemptsPage; filters: AttemptFilters; clear: () => void }) {
  if (page.missing) {
    return (
      <Empty title={`No message has the ID or event ID “${filters.msg}”`}>
        <p>Check the ID; messages older than the retention period are no longer kept.</p>
      </Empty>
    );
  }
  if (!isFiltered(filters)) {
    return (
      <Empty title="No attempts yet">
        <p>Send an example from the Testing tab to make one.</p>
      </Empty>
    );
  }
  return (
    <Empty title="No attempts match these filters">
      <button type="button" class="button" onClick={clear}>
        Clear filters
      </button>
    </Empty>
  );
}

function AttemptsTable({ attempts }: { attempts: Attempt[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Attempts">
      <table class="table attempts-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Response</th>
            <th scope="col">Event type</th>
            <th scope="col">Time</th>
            <th scope="col">Duration</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => {
            const reason = attemptReason(attempt);
            return (
              <tr key={attempt.id} data-testid="attempt-row">
                <td data-label="Status">
                  <StatusBadge status={attempt.status} />
                </td>
                <td data-label="Response" class="attempt-reason" data-testid="attempt-reason">
                  <span class="attempt-reason-summary">{reason.summary}</span>
                  {attempt.status === STATUS.fail && reason.detail && <span class="attempt-reason-detail">{reason.detail}</span>}
                </td>
                <td data-label="Event type">
                  <code>{attempt.msg?.eventType ?? '—'}</code>
                </td>
                <td data-label="Time">{formatTime(attempt.timestamp)}</td>
                <td data-label="Duration" class="numeric">
                  {formatDuration(attempt.responseDurationMs)}
                </td>
                <td data-label="Message">
                  <Link to={`/messages/${attempt.msgId}`}>View</Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "1 message", "3 messages". */
function messages(count: number): string {
  return `${count} message${count === 1 ? '' : 's'}`;
}

/**
 * Two ways to send again. Recover: the failed deliveries (their retries used up) of messages since a
 * chosen time, one attempt each. Retry now: every delivery still inside its retry schedule, at once
 * instead of at its next scheduled time. Each says beforehand what it would send.
 */
function Recovery({ endpoint, round, onDone }: { endpoint: Endpoint; round: number; onDone: () => void }) {
  const { api } = usePortal();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [result, setResult] = useState<string>();
  const sinceDate = since ? new Date(since) : undefined;
  const valid = sinceDate !== undefined && !Number.isNaN(sinceDate.getTime());
  const counts = useLoad(() => api.stats(endpoint.id, valid ? sinceDate : undefined), [endpoint.id, since, round]);
  const waiting = counts.data?.waitingRetry ?? 0;
  const recover = async () => {
    setResult(undefined);
    const started = await api.recover(endpoint.id, sinceDate!);
    const task = await poll(() => api.task(started.id), (current) => current.status !== 'running', { timeout: 60_000 });
    if (task.status === 'failed') throw new Error(`The recovery failed${task.data.error ? `: ${task.data.error}` : '.'}`);
    const sent = Number(task.data.messagesSent ?? 0);
    if (task.status === 'running') setResult('The recovery is still running; refresh the attempts in a moment.');
    else if (sent > 0) setResult(`Recovery done: ${messages(sent)} sent again.`);
    else setResult(`Recovery done: no message had failed since ${formatTime(sinceDate!.toISOString())}.${waiting ? ` ${messages(waiting)} waiting on a retry ${waiting === 1 ? 'has' : 'have'} not failed yet: Retry now sends them at once.` : ''}`);
    onDone();
  };
  const retryNow = async () => {
    setResult(undefined);
    const { retried } = await api.retryNow(endpoint.id);
    setResult(retried ? `${messages(retried)} sent again now.` : 'No message was waiting on a retry.');
    onDone();
  };
  return (
    <>
      <p class="hint">
        A message that cannot be delivered is retried on a schedule, which can take a day or more; it has failed only once its retries are used up. Recover sends the failed ones again; Retry now sends those still waiting on a retry at once.
      </p>
      {result && <Notice>{result}</Notice>}
      <div class="recovery-part">
        <label class="field">
          <span>Since</span>
          <input type="datetime-local" name="since" required value={since} max={toLocalInput(new Date())} onInput={(event) => setSince(event.currentTarget.value)} />
        </label>
        <p data-testid="recover-preview">
          {!valid
            ? 'Choose the time from which to send failed messages again.'
            : counts.data === undefined
              ? 'Counting the failed messages…'
              : counts.data.fail
                ? `Sends again the ${messages(counts.data.fail)} that failed since ${formatTime(sinceDate!.toISOString())}, one attempt each.`
                : `No message has failed since ${formatTime(sinceDate!.toISOString())}: nothing to send again.`}
        </p>
        <ActionButton kind="primary" run={recover} busy="Recovering…" disabled={!valid}>
          Recover failed messages
        </ActionButton>
      </div>
      <div class="recovery-part">
        <p data-testid="retry-waiting">
          {counts.data === undefined
            ? 'Counting the messages waiting on a retry…'
            : waiting
              ? `${messages(waiting)} ${waiting === 1 ? 'is' : 'are'} waiting on a retry. Retry now sends ${waiting === 1 ? 'it' : 'them'} at once instead of at the next scheduled time; if ${waiting === 1 ? 'it fails' : 'they fail'}, the schedule goes on.`
              : 'No message is waiting on a retry.'}
        </p>
        <ActionButton run={retryNow} busy="Sending…" disabled={!waiting}>
          Retry now
        </ActionButton>
      </div>
    </>
  );
}
