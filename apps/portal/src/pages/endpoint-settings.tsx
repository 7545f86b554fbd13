import { useState } from 'preact/hooks';
import type { Endpoint } from '../portal.api.js';
import { useAction, useCan, useLoad, usePortal } from '../portal.hooks.js';
import { navigate } from '../portal.router.js';
import { ActionButton, ConfirmButton, Empty, ErrorNotice, Load, TextField } from '../portal.ui.js';

/** Extra headers sent with every delivery; sensitive values are named, never shown. */
export function HeadersSection({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const can = useCan();
  const headers = useLoad(() => api.headers(endpoint.id), [endpoint.id]);
  const remove = async (name: string) => {
    await api.patchHeaders(endpoint.id, { [name]: null });
    headers.reload();
  };
  return (
    <section class="section" aria-labelledby="headers-heading">
      <h2 id="headers-heading">Custom headers</h2>
      <p class="hint">Sent with every webhook to this endpoint, e.g. to authenticate with your gateway.</p>
      <Load state={headers} label="Loading headers…">
        {(data) => {
          const rows = [...Object.entries(data.headers), ...data.sensitive.map((name) => [name, null] as const)];
          if (!rows.length) return <Empty title="No custom headers" />;
          return (
            <div class="table-wrap">
              <table class="table headers-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                    {can('manage') && <th scope="col"><span class="visually-hidden">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {rows.map(([name, value]) => (
                    <tr key={name}>
                      <td>
                        <code>{name}</code>
                      </td>
                      <td>{value === null ? <span class="muted">hidden (sensitive)</span> : <code>{value}</code>}</td>
                      {can('manage') && (
                        <td>
                          <ActionButton run={() => remove(name)} busy="Removing…">
                            Remove<span class="visually-hidden"> {name}</span>
                          </ActionButton>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Load>
      {can('manage') && (
        <AddHeader
          onAdd={async (name, value) => {
            await api.patchHeaders(endpoint.id, { [name]: value });
            headers.reload();
          }}
        />
      )}
    </section>
  );
}

function AddHeader({ onAdd }: { onAdd: (name: string, value: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const add = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void add.run(async () => {
      await onAdd(name.trim(), value);
      setName('');
      setValue('');
    });
  };
  return (
    <form class="form form-row" onSubmit={submit} aria-label="Add a header">
      <TextField label="Header name" name="headerName" required placeholder="x-example" value={name} onChange={setName} />
      <TextField label="Value" name="headerValue" required value={value} onChange={setValue} />
      <button type="submit" class="button" disabled={add.running} aria-busy={add.running}>
        {add.running ? 'Adding…' : 'Add header'}
      </button>
      {add.error && <ErrorNotice error={add.error} />}
    </form>
  );
}

export function DeleteSection({ endpoint }: { endpoint: Endpoint }) {
  const { api } = usePortal();
  const can = useCan();
  if (!can('manage')) return null;
  return (
    <section class="section section-danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete endpoint</h2>
      <p class="hint">Nothing more is sent to it, and its delivery history is deleted with it.</p>
      <ConfirmButton
        kind="danger"
        question="Delete this endpoint and its history?"
        run={async () => {
          await api.deleteEndpoint(endpoint.id);
          navigate('/');
        }}
      >
        Delete endpoint
      </ConfirmButton>
    </section>
  );
}
