import { useState } from 'preact/hooks';
import { ApiError, type Endpoint, type Simulated, type Transformation } from '../portal.api.js';
import { exampleOf, prettyBody, prettyJson } from '../portal.format.js';
import { useAction, useLoad, usePortal } from '../portal.hooks.js';
import { Code, ErrorNotice, Load, Notice, TextField } from '../portal.ui.js';

/** What the editor starts from when the endpoint has no transformation yet. */
const TEMPLATE = `function handler(webhook) {
  // webhook.eventType and webhook.payload: the event and its payload.
  // Change webhook.payload, webhook.method ('POST', 'PUT' or 'PATCH') or webhook.url,
  // add webhook.headers, or set webhook.cancel = true to send nothing.
  return webhook;
}
`;

/** The endpoint's transformation: edit it, switch it on or off, and try it on a payload. */
export function TransformationTab({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const saved = useLoad(() => api.transformation(endpoint.id), [endpoint.id]);
  return (
    <Load state={saved} label="Loading the transformation…">
      {(data) => <Editor key={endpoint.id} endpoint={endpoint} saved={data} />}
    </Load>
  );
}

function Editor({ endpoint, saved }: { endpoint: Endpoint; saved: Transformation }) {
  const { api } = usePortal();
  const [code, setCode] = useState(saved.code ?? TEMPLATE);
  const [enabled, setEnabled] = useState(saved.enabled ?? false);
  const [done, setDone] = useState(false);
  const save = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setDone(false);
    void save.run(async () => {
      await api.updateTransformation(endpoint.id, { code, enabled });
      setDone(true);
    });
  };
  return (
    <div class="sections">
      <section class="section" aria-labelledby="transformation-heading">
        <h2 id="transformation-heading">Transformation</h2>
        <p class="hint">
          JavaScript run on each webhook to this endpoint before it is signed and sent: <code>handler(webhook)</code> may change its payload, method
          or URL, add headers, or cancel it. It runs in a sandbox with no network or files, for at most 100 ms and 16 MB; a run that fails fails
          that attempt, which is retried.
        </p>
        <form class="form form-wide" onSubmit={submit} aria-label="Transformation">
          <label class="check">
            <input type="checkbox" name="enabled" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
            <span>
              Run it on every webhook
              <span class="check-description">Off: webhooks are sent as they are; the code is kept.</span>
            </span>
          </label>
          <label class="field">
            <span>Code</span>
            <textarea class="code-editor" name="code" rows={14} spellcheck={false} value={code} onInput={(event) => setCode(event.currentTarget.value)} />
          </label>
          {save.error && <ErrorNotice error={save.error} />}
          {done && <Notice>Transformation saved.</Notice>}
          <div class="form-actions">
            <button type="submit" class="button button-primary" disabled={save.running} aria-busy={save.running}>
              {save.running ? 'Saving…' : 'Save transformation'}
            </button>
          </div>
        </form>
      </section>
      <section class="section" aria-labelledby="simulate-heading">
        <h2 id="simulate-heading">Try it</h2>
        <p class="hint">Runs the code above, saved or not, on a payload of your choosing. Nothing is sent.</p>
        <Simulator endpoint={endpoint} code={code} />
      </section>
    </div>
  );
}

function Simulator({ endpoint, code }: { endpoint: Endpoint; code: string }) {
  const { api, catalogue } = usePortal();
  const examples = (catalogue.data?.data ?? []).filter((type) => exampleOf(type) !== undefined);
  const [eventType, setEventType] = useState(examples[0]?.name ?? 'example.event');
  const [payload, setPayload] = useState(() => prettyJson(examples[0] ? exampleOf(examples[0]) : {}));
  const [result, setResult] = useState<Simulated>();
  const run = useAction();
  const pick = (name: string) => {
    const type = examples.find((candidate) => candidate.name === name);
    if (!type) return;
    setEventType(type.name);
    setPayload(prettyJson(exampleOf(type)));
  };
  const simulate = (event: Event) => {
    event.preventDefault();
    setResult(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch (error) {
      return run.fail(new ApiError(0, `The payload is not JSON: ${(error as Error).message}`));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return run.fail(new ApiError(0, 'The payload must be a JSON object.'));
    void run.run(async () => setResult(await api.simulateTransformation(endpoint.id, { code, eventType: eventType.trim(), payload: parsed as Record<string, never> })));
  };
  return (
    <form class="form form-wide" onSubmit={simulate} aria-label="Try the transformation">
      {examples.length > 0 && (
        <label class="field field-narrow">
          <span>Start from the example of</span>
          <select name="example" value={examples.some((type) => type.name === eventType) ? eventType : ''} onChange={(event) => pick(event.currentTarget.value)}>
            <option value="" disabled>
              an event type…
            </option>
            {examples.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <TextField label="Event type" name="eventType" narrow required value={eventType} onChange={setEventType} />
      <label class="field">
        <span>Payload (JSON)</span>
        <textarea class="code-editor" name="payload" rows={8} spellcheck={false} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
      </label>
      {run.error && <ErrorNotice error={run.error} />}
      <div class="form-actions">
        <button type="submit" class="button" disabled={run.running} aria-busy={run.running}>
          {run.running ? 'Running…' : 'Run transformation'}
        </button>
      </div>
      {result && <SimulatedWebhook result={result} />}
    </form>
  );
}

function SimulatedWebhook({ result }: { result: Simulated }) {
  if (result.cancel) {
    return (
      <div class="result" role="status" data-testid="simulate-result">
        <p class="result-head">Cancelled: nothing would be sent.</p>
      </div>
    );
  }
  const headers = Object.entries(result.headers);
  return (
    <div class="result" role="status" data-testid="simulate-result">
      <p class="result-head">
        <strong>{result.method ?? 'POST'}</strong> <code class="url">{result.url}</code>
      </p>
      {headers.length > 0 && (
        <dl class="simulated-headers" aria-label="Headers added">
          {headers.map(([name, value]) => (
            <div key={name}>
              <dt>
                <code>{name}</code>
              </dt>
              <dd>
                <code>{value}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <Code text={prettyBody(result.payload)} label="Body that would be sent" />
    </div>
  );
}
