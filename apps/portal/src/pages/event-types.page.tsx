import type { EventType } from '../portal.api.js';
import { exampleOf, prettyJson, schemaOf } from '../portal.format.js';
import { usePortal } from '../portal.hooks.js';
import { Code, Empty, Load } from '../portal.ui.js';

/** The catalogue: what each event type means, its schema and an example. */
export function EventTypesPage() {
  const { catalogue } = usePortal();
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Event types</h1>
        <button type="button" class="button" onClick={catalogue.reload} disabled={catalogue.loading}>
          Refresh
        </button>
      </div>
      <p class="lead">The events you can subscribe an endpoint to.</p>
      <Load state={catalogue} label="Loading the catalogue…">
        {(page) =>
          page.data.length ? (
            <ul class="cards">
              {page.data.map((type) => (
                <EventTypeCard key={type.name} type={type} />
              ))}
            </ul>
          ) : (
            <Empty title="The catalogue is empty">No event types have been described yet.</Empty>
          )
        }
      </Load>
    </>
  );
}

function EventTypeCard({ type }: { type: EventType }) {
  const schema = schemaOf(type);
  const example = exampleOf(type);
  return (
    <li class="card event-type">
      <h2 class="event-type-name">
        <code>{type.name}</code>
        {type.deprecated && <span class="badge badge-disabled">Deprecated</span>}
        {type.groupName && <span class="badge">{type.groupName}</span>}
      </h2>
      <p>{type.description || <span class="muted">No description.</span>}</p>
      {schema && (
        <details>
          <summary>Schema</summary>
          <Code text={prettyJson(schema)} label={`Schema of ${type.name}`} />
        </details>
      )}
      {example !== undefined && (
        <details>
          <summary>Example</summary>
          <Code text={prettyJson(example)} label={`Example of ${type.name}`} />
        </details>
      )}
    </li>
  );
}
