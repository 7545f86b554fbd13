import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { attemptReason } from './attempt-reason.js';
import type { ApiError, Attempt } from './portal.api.js';
import { statusLabel } from './portal.format.js';
import { useAction, type Loaded } from './portal.hooks.js';

export function Spinner({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorNotice({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/**
 * The three states of something loaded: a spinner the first time, the error (with a retry) when it
 * failed, else the content. An error on a reload shows above what was shown before.
 */
export function Load<T>({ state, label, children }: { state: Loaded<T>; label: string; children: (data: T) => ComponentChildren }) {
  if (state.data === undefined) {
    return state.error ? <ErrorNotice error={state.error} retry={state.reload} /> : <Spinner label={label} />;
  }
  return (
    <>
      {state.error && <ErrorNotice error={state.error} retry={state.reload} />}
      {children(state.data)}
    </>
  );
}

/** A delivery or attempt status, in words and colour. */
export function StatusBadge({ status }: { status: number }) {
  const label = statusLabel(status);
  return <span class={`badge badge-${label.toLowerCase()}`}>{label}</span>;
}

/**
 * What an attempt got back, for the endpoint's owner: the HTTP status and body; or, with no answer, why in the
 * Attempts tab's words and only what of the error helps (a refused address's detail is the operator's).
 */
export function attemptAnswer(attempt: Attempt): { outcome: string; body: string } {
  if (attempt.responseStatusCode) return { outcome: `HTTP ${attempt.responseStatusCode}`, body: attempt.response };
  const reason = attemptReason(attempt);
  return { outcome: reason.summary, body: reason.detail ?? '' };
}

export function EnabledBadge({ disabled }: { disabled: boolean }) {
  return <span class={`badge ${disabled ? 'badge-disabled' : 'badge-enabled'}`}>{disabled ? 'Disabled' : 'Enabled'}</span>;
}

/** Something that happened, announced to screen readers too. */
export function Notice({ children, kind = 'success' }: { children: ComponentChildren; kind?: 'success' | 'error' }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

interface ActionProps {
  /** What the click does; its error is shown beside the button. */
  run: () => Promise<unknown>;
  children: ComponentChildren;
  busy?: string;
  kind?: 'primary' | 'danger' | 'plain';
  disabled?: boolean;
}

/** A button for a call to the API: disabled while it runs, its error shown next to it. */
export function ActionButton({ run, children, busy, kind = 'plain', disabled }: ActionProps) {
  const { running, error, ...action } = useAction();
  const click = () => action.run(run);
  return (
    <span class="action">
      <button type="button" class={`button button-${kind}`} disabled={running || disabled} aria-busy={running} onClick={click}>
        {running ? (busy ?? 'Working…') : children}
      </button>
      {error && (
        <span class="action-error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}

/** An action that asks once more before it runs (delete, rotate). */
export function ConfirmButton({ question, ...action }: ActionProps & { question: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={`button button-${action.kind ?? 'plain'}`} onClick={() => setAsking(true)} disabled={action.disabled}>
        {action.children}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="confirm-question">{question}</span>
      <ActionButton {...action} children={`Yes, ${String(action.children).toLowerCase()}`} />
      <button type="button" class="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** Copies text; where the Clipboard API is missing (plain http off localhost), through a selection. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" class="button" onClick={copy}>
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </button>
  );
}

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** A URL, or a whole number (typed as text with a numeric keypad, so no digit is silently dropped). */
  kind?: 'url' | 'number';
  required?: boolean;
  placeholder?: string;
  narrow?: boolean;
}

/** An input with its label around it, so a click on the label focuses it and readers announce it. */
export function TextField({ label, onChange, narrow, kind, ...input }: TextFieldProps) {
  const onInput = (event: { currentTarget: HTMLInputElement }) => onChange(event.currentTarget.value);
  return (
    <label class={narrow ? 'field field-narrow' : 'field'}>
      <span>{label}</span>
      {kind === 'url' ? (
        <input type="url" {...input} onInput={onInput} />
      ) : (
        <input type="text" inputMode={kind === 'number' ? 'numeric' : undefined} {...input} onInput={onInput} />
      )}
    </label>
  );
}

export function Code({ text, label }: { text: string; label: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      <code>{text}</code>
    </pre>
  );
}
