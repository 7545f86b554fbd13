import { useState } from 'preact/hooks';
import type { Attempt, Endpoint, EventType, Message } from '../portal.api.js';
import { exampleOf, formatDuration, formatTime, prettyBody, prettyJson } from '../portal.format.js';
import { poll, useCan, usePortal } from '../portal.hooks.js';
import { Link } from '../portal.router.js';
import { ActionButton, attemptAnswer, Code, Empty, Load, StatusBadge } from '../portal.ui.js';

/** Sends the example of an event type to this endpoint and shows the attempt it made. */
export function TestingTab({ endpoint }: { endpoint: Endpoint }) {
  const { catalogue } = usePortal();
  return (
    <section class="section" aria-labelledby="testing-heading">
      <h2 id="testing-heading">Send an example</h2>
      <p class="hint">Sends the example payload of an event type to this endpoint, signed like every webhook, and shows how the endpoint answered.</p>
      <Load state={catalogue} label="Loading the event types…">
        {(page) => {
          const types = page.data.filter((type) => exampleOf(type) !== undefined);
          if (!types.length) return <Empty title="No event type has an example yet">The catalogue lists no example payload to send.</Empty>;
          return <Tester endpoint={endpoint} types={types} />;
        }}
      </Load>
    </section>
  );
}

function Tester({ endpoint, types }: { endpoint: Endpoint; types: EventType[] }) {
  const { api } = usePortal();
  const can = useCan();
  // Start with a type the endpoint receives, if the catalogue has one with an example.
  const [name, setName] = useState(() => (types.find((type) => endpoint.eventTypes?.includes(type.name)) ?? types[0]).name);
  const [sent, setSent] = useState<{ message: Message; attempt?: Attempt }>();
  const type = types.find((candidate) => candidate.name === name) ?? types[0];
  const send = async () => {
    setSent(undefined);
    const message = await api.sendExample(endpoint.id, type.name);
    setSent({ message });
    const attempts = await poll(() => api.messageAttempts(message.id, endpoint.id), (page) => page.data.length > 0, { timeout: 20_000 });
    setSent({ message, attempt: attempts.data.at(-1) });
  };
  return (
    <>
      <label class="field field-narrow">
        <span>Event type</span>
        <select name="eventType" value={type.name} onChange={(event) => setName(event.currentTarget.value)}>
          {types.map((candidate) => (
            <option key={candidate.name} value={candidate.name}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <Code text={prettyJson(exampleOf(type))} label={`Example payload of ${type.name}`} />
      {can('attempt') && (
        <ActionButton kind="primary" run={send} busy="Sending…">
          Send example
        </ActionButton>
      )}
      {sent && <SentExample message={sent.message} attempt={sent.attempt} />}
    </>
  );
}

function SentExample({ message, attempt }: { message: Message; attempt?: Attempt }) {
  const view = <Link to={`/messages/${message.id}`}>View the message</Link>;
  if (!attempt) {
    return (
      <div class="result" role="status">
        <p>Sent as message <code>{message.id}</code>; waiting for the attempt… {view}</p>
      </div>
    );
  }
  const answer = attemptAnswer(attempt);
  return (
    <div class="result" role="status" data-testid="test-result">
      <p class="result-head">
        <StatusBadge status={attempt.status} /> <span>{answer.outcome}</span>
        <span class="muted">
          {formatTime(attempt.timestamp)} · {formatDuration(attempt.responseDurationMs)}
        </span>
        {view}
      </p>
      {answer.body ? <Code text={prettyBody(answer.body)} label="Response body" /> : attempt.responseStatusCode > 0 && <p class="muted">The response had no body.</p>}
    </div>
  );
}
