import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Capability, type EventType, type Page, type PortalApi, type Session } from './portal.api.js';

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** Loads again, keeping what is shown until the new answer arrives. */
  reload(): void;
}

/** Runs `load` now and whenever `deps` change; what it answers or the error it throws. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({ loading: true });
  const [round, setRound] = useState(0);
  const key = JSON.stringify(deps);
  const shownKey = useRef(key);
  useEffect(() => {
    let current = true;
    // Other deps are another thing (another endpoint): do not show the previous one meanwhile.
    const keep = shownKey.current === key;
    shownKey.current = key;
    setState((previous) => ({ data: keep ? previous.data : undefined, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState((previous) => ({ data: previous.data, error: asApiError(error), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  return { ...state, reload: () => setRound((value) => value + 1) };
}

export interface Action {
  running: boolean;
  /** What the last run threw, until the next run. */
  error?: ApiError;
  run(action: () => Promise<unknown>): Promise<void>;
  fail(error: ApiError): void;
}

/** A call to the API made by a click or a form: whether it is running, and what went wrong. */
export function useAction(): Action {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = async (action: () => Promise<unknown>) => {
    setRunning(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setRunning(false);
    }
  };
  return { running, error, run, fail: setError };
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, error instanceof Error ? error.message : String(error));
}

/** Asks `read` until `done` says yes, every `interval` ms, for at most `timeout` ms; the last answer. */
export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, { interval = 500, timeout = 30_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export interface PortalContext {
  api: PortalApi;
  session: Session;
  /** The event-type catalogue, loaded once for every page that needs it. */
  catalogue: Loaded<Page<EventType>>;
}

export const Portal = createContext<PortalContext | null>(null);

export function usePortal(): PortalContext {
  return useContext(Portal)!;
}

/** What each action needs, as the API's routes require it (any one of the capabilities). */
const NEEDS = {
  manage: ['ManageEndpoint'],
  viewSecret: ['ViewEndpointSecret', 'ManageEndpointSecret', 'ManageEndpoint'],
  rotateSecret: ['ManageEndpointSecret', 'ManageEndpoint'],
  attempt: ['CreateAttempts', 'ManageEndpoint'],
  transform: ['ManageTransformations'],
} satisfies Record<string, Capability[]>;

/** Whether the token may do something; controls it may not use are not shown. */
export function useCan(): (action: keyof typeof NEEDS) => boolean {
  const { session } = usePortal();
  return (action) => NEEDS[action].some((capability) => session.capabilities.includes(capability));
}
