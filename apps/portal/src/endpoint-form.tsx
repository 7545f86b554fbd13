import { useState } from 'preact/hooks';
import { ApiError, type Endpoint, type EndpointInput, type EventType } from './portal.api.js';
import { useAction, usePortal } from './portal.hooks.js';
import { ErrorNotice, Load, TextField } from './portal.ui.js';

/** Ticks event types from the catalogue, grouped as the catalogue groups them; none ticked: every type. */
export function EventTypePicker({ selected, onChange }: { selected: string[]; onChange: (selected: string[]) => void }) {
  const { catalogue } = usePortal();
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((item) => item !== name));
  return (
    <fieldset class="picker">
      <legend>Event types</legend>
      <p class="hint">Leave every box empty to receive all event types.</p>
      <Load state={catalogue} label="Loading the event types…">
        {(page) => {
          if (!page.data.length) return <p class="hint">The catalogue is empty: this endpoint will receive every event type.</p>;
          // Types subscribed to that the catalogue no longer lists stay visible, so they can be removed.
          const unknown = selected.filter((name) => !page.data.some((type) => type.name === name));
          return (
            <div class="picker-groups">
              {groups(page.data).map(([group, types]) => (
                <div class="picker-group" key={group}>
                  {group && <p class="picker-group-name">{group}</p>}
                  {types.map((type) => (
                    <label class="check" key={type.name}>
                      <input type="checkbox" checked={selected.includes(type.name)} onChange={(event) => toggle(type.name, event.currentTarget.checked)} />
                      <span>
                        <code>{type.name}</code>
                        {type.description && <span class="check-description">{type.description}</span>}
                      </span>
                    </label>
                  ))}
                </div>
              ))}
              {unknown.map((name) => (
                <label class="check" key={name}>
                  <input type="checkbox" checked onChange={() => toggle(name, false)} />
                  <code>{name}</code>
                </label>
              ))}
            </div>
          );
        }}
      </Load>
    </fieldset>
  );
}

function groups(types: EventType[]): [string, EventType[]][] {
  const byGroup = new Map<string, EventType[]>();
  for (const type of types) byGroup.set(type.groupName ?? '', [...(byGroup.get(type.groupName ?? '') ?? []), type]);
  return [...byGroup].sort(([a], [b]) => a.localeCompare(b));
}

interface EndpointFormProps {
  endpoint?: Endpoint;
  submitLabel: string;
  onSubmit: (input: EndpointInput) => Promise<unknown>;
}

/** URL, description, event types, rate limit and ordering: for a new endpoint, or to change one. */
export function EndpointForm({ endpoint, submitLabel, onSubmit }: EndpointFormProps) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [eventTypes, setEventTypes] = useState(endpoint?.eventTypes ?? []);
  const [rate, setRate] = useState(endpoint?.throttleRate?.toString() ?? '');
  const [ordered, setOrdered] = useState(endpoint?.ordering === 'fifo');
  const save = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const throttleRate = rate.trim() ? Number(rate) : null;
    if (throttleRate !== null && !(Number.isInteger(throttleRate) && throttleRate >= 1)) {
      return save.fail(new ApiError(0, 'The rate limit is a whole number of deliveries per second, 1 or more.'));
    }
    void save.run(() => onSubmit({ url: url.trim(), description, eventTypes: eventTypes.length ? eventTypes : null, throttleRate, ordering: ordered ? 'fifo' : null }));
  };
  return (
    <form class="form" onSubmit={submit}>
      <TextField label="Endpoint URL" name="url" kind="url" required placeholder="https://example.com/webhooks" value={url} onChange={setUrl} />
      <TextField label="Description" name="description" placeholder="Optional" value={description} onChange={setDescription} />
      <EventTypePicker selected={eventTypes} onChange={setEventTypes} />
      <TextField label="Rate limit (deliveries per second)" name="rateLimit" kind="number" narrow placeholder="No limit" value={rate} onChange={setRate} />
      <label class="check">
        <input type="checkbox" name="ordering" checked={ordered} onChange={(event) => setOrdered(event.currentTarget.checked)} />
        <span>
          Deliver in order
          <span class="check-description">One message at a time, in the order they were sent; a failing one holds back the ones after it.</span>
        </span>
      </label>
      {save.error && <ErrorNotice error={save.error} />}
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={save.running} aria-busy={save.running}>
          {save.running ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
