import { useState } from 'preact/hooks';
import type { Attempt, Destination } from '../portal.api.js';
import { formatDuration, formatTime, prettyBody } from '../portal.format.js';
import { poll, useCan, useLoad, usePortal } from '../portal.hooks.js';
import { Link } from '../portal.router.js';
import { ActionButton, attemptAnswer, Code, Empty, Load, Notice, StatusBadge } from '../portal.ui.js';

/** One message: its payload, where it went, every attempt with the response, and resending. */
export function MessagePage({ id }: { id: string }) {
  const { api } = usePortal();
  const message = useLoad(() => api.message(id), [id]);
  const payload = useLoad(() => api.rawPayload(id), [id]);
  const destinations = useLoad(() => api.destinations(id), [id]);
  const attempts = useLoad(() => api.messageAttempts(id), [id]);
  return (
    <>
      <p class="crumbs">
        <Link to="/">Endpoints</Link>
      </p>
      <Load state={message} label="Loading the message…">
        {(data) => (
          <>
            <h1 tabIndex={-1}>
              Message <code>{data.eventType}</code>
            </h1>
            <dl class="facts">
              <div>
                <dt>Message id</dt>
                <dd>
                  <code>{data.id}</code>
                </dd>
              </div>
              {data.eventId && (
                <div>
                  <dt>Event id</dt>
                  <dd>
                    <code>{data.eventId}</code>
                  </dd>
                </div>
              )}
              <div>
                <dt>Created</dt>
                <dd>{formatTime(data.timestamp)}</dd>
              </div>
            </dl>
            <section class="section" aria-labelledby="payload-heading">
              <h2 id="payload-heading">Payload</h2>
              <Load state={payload} label="Loading the payload…">
                {(raw) => <Code text={prettyBody(raw.payload)} label="Message payload" />}
              </Load>
            </section>
          </>
        )}
      </Load>
      <section class="section" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <Load state={destinations} label="Loading deliveries…">
          {(page) =>
            page.data.length ? (
              <ul class="cards">
                {page.data.map((destination) => (
                  <DeliveryCard
                    key={destination.id}
                    msgId={id}
                    destination={destination}
                    onResent={() => {
                      destinations.reload();
                      attempts.reload();
                    }}
                  />
                ))}
              </ul>
            ) : (
              <Empty title="Sent to no endpoint">No endpoint received this event type when the message was created.</Empty>
            )
          }
        </Load>
      </section>
      <section class="section" aria-labelledby="message-attempts-heading">
        <div class="section-head">
          <h2 id="message-attempts-heading">Attempts</h2>
          <button type="button" class="button" onClick={attempts.reload} disabled={attempts.loading}>
            Refresh
          </button>
        </div>
        <Load state={attempts} label="Loading attempts…">
          {(page) =>
            page.data.length ? (
              <ol class="attempts">
                {page.data.map((attempt) => (
                  <AttemptItem key={attempt.id} attempt={attempt} />
                ))}
              </ol>
            ) : (
              <Empty title="No attempts yet" />
            )
          }
        </Load>
      </section>
    </>
  );
}

function DeliveryCard({ msgId, destination, onResent }: { msgId: string; destination: Destination; onResent: () => void }) {
  const { api } = usePortal();
  const can = useCan();
  const [resent, setResent] = useState(false);
  const resend = async () => {
    setResent(false);
    const before = (await api.messageAttempts(msgId, destination.id)).data.length;
    await api.resend(msgId, destination.id);
    // The resend is one more attempt; wait for it so the list below shows it.
    await poll(() => api.messageAttempts(msgId, destination.id), (page) => page.data.length > before, { timeout: 20_000 });
    setResent(true);
    onResent();
  };
  return (
    <li class="card delivery-card" data-testid="delivery">
      <div>
        <Link to={`/endpoints/${destination.id}`} class="endpoint-url">
          {destination.url}
        </Link>
        <p class="muted small">
          <StatusBadge status={destination.status} />
          {destination.nextAttempt && ` next attempt ${formatTime(destination.nextAttempt)}`}
        </p>
        {resent && <Notice>Sent again.</Notice>}
      </div>
      {can('attempt') && (
        <ActionButton run={resend} busy="Resending…">
          Resend
        </ActionButton>
      )}
    </li>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const answer = attemptAnswer(attempt);
  return (
    <li class="attempt" data-testid="message-attempt">
      <p class="attempt-head">
        <StatusBadge status={attempt.status} />
        <span>{answer.outcome}</span>
        <span class="muted">{formatTime(attempt.timestamp)}</span>
        <span class="muted">{formatDuration(attempt.responseDurationMs)}</span>
        <span class="muted">{attempt.triggerType === 1 ? 'manual' : 'scheduled'}</span>
      </p>
      <p class="small muted">{attempt.url}</p>
      <details>
        <summary>Response body</summary>
        {answer.body ? <Code text={prettyBody(answer.body)} label="Response body" /> : <p class="muted">Empty.</p>}
      </details>
    </li>
  );
}
