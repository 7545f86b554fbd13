import type { components } from '@homing/api-types';

/**
 * The dispatcher's Svix v1 API as the portal uses it, with the portal token as Bearer. The shapes are
 * @homing/api-types, generated from the OpenAPI document the dispatcher serves (dates as text).
 */
type Schemas = components['schemas'];

export type Session = Schemas['PortalSessionOut'];
export type Capability = Session['capabilities'][number];
export type Application = Schemas['ApplicationOut'];
export type Endpoint = Schemas['EndpointOut'];
export type EndpointInput = Schemas['EndpointIn'];
export type EndpointChange = Schemas['EndpointPatch'];
export type EndpointStats = Schemas['EndpointStats'];
export type AttemptSeries = Schemas['AttemptStatisticsResponse'];
export type EndpointHeaders = Schemas['EndpointHeadersOut'];
export type EventType = Schemas['EventTypeOut'];
export type Message = Schemas['MessageOut'];
export type RawPayload = Schemas['MessageRawPayloadOut'];
export type Attempt = Schemas['MessageAttemptOut'];
/** An endpoint a message is owed to, with the delivery's status. */
export type Destination = Schemas['MessageEndpointOut'];
export type BackgroundTask = Schemas['BackgroundTaskOut'];
export type RetryNow = Schemas['RetryNowOut'];
export type Transformation = Schemas['EndpointTransformationOut'];
export type TransformationChange = Schemas['EndpointTransformationPatch'];
export type SimulateInput = Schemas['TransformationSimulateIn'];
export type Simulated = Schemas['TransformationSimulateOut'];

/** Svix's list pages, as every list operation answers. */
export type Page<T> = Omit<Schemas['ListResponseEndpointOut'], 'data'> & { data: T[] };

/** Svix's numeric statuses: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled. */
export const STATUS = { success: 0, pending: 1, fail: 2, sending: 3, canceled: 4 } as const;

/** The filters the attempt lists take, by their query names: `event_types` comma-separated, dates as ISO text. */
export interface AttemptQuery {
  status?: number;
  event_types?: string;
  after?: string;
  before?: string;
  iterator?: string | null;
}

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A readable message from Svix's error bodies: `{ detail: "..." }` or, for a 422, `{ detail: [{ loc, msg }] }`.
 * The dispatcher's messages name their field ("url must be…", "This URL points to…"), so the field is put
 * in front only of one that does not, and never twice.
 */
export function errorMessage(status: number, body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((item: { loc?: unknown[]; msg?: string }) => {
        const msg = String(item.msg);
        const path = (item.loc ?? []).slice(1).map(String);
        return path.length && !msg.toLowerCase().includes(path[0].toLowerCase()) ? `${path.join('.')}: ${msg}` : msg;
      })
      .join('; ');
  }
  return `the server answered ${status}`;
}

const TOKEN_KEY = 'homing-portal-token';

/**
 * The token comes in the link's fragment (`#key=…`), which browsers never send to servers. It is kept
 * for this tab only and taken out of the address bar, so it is not bookmarked, shared or shown.
 */
export function takeToken(location: Location, storage: Storage): string | null {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromLink) {
    storage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  return storage.getItem(TOKEN_KEY);
}

export function forgetToken(storage: Storage): void {
  storage.removeItem(TOKEN_KEY);
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** The API for one application, with one token. `onUnauthorized` hears of an expired or revoked token. */
export class PortalApi {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
    readonly appId = '',
  ) {}

  /** The same client, for the session's application. */
  forApp(appId: string): PortalApi {
    return new PortalApi(this.token, this.onUnauthorized, appId);
  }

  session(): Promise<Session> {
    return this.request('GET', '/auth/portal-session');
  }

  logout(): Promise<void> {
    return this.request('POST', '/auth/logout');
  }

  eventTypes(): Promise<Page<EventType>> {
    return this.request('GET', '/event-type', { query: { with_content: true, limit: 250 } });
  }

  endpoints(): Promise<Page<Endpoint>> {
    return this.request('GET', this.app('/endpoint'), { query: { limit: 250 } });
  }

  endpoint(id: string): Promise<Endpoint> {
    return this.request('GET', this.app(`/endpoint/${enc(id)}`));
  }

  createEndpoint(input: EndpointInput): Promise<Endpoint> {
    return this.request('POST', this.app('/endpoint'), { body: input });
  }

  updateEndpoint(id: string, change: EndpointChange): Promise<Endpoint> {
    return this.request('PATCH', this.app(`/endpoint/${enc(id)}`), { body: change });
  }

  deleteEndpoint(id: string): Promise<void> {
    return this.request('DELETE', this.app(`/endpoint/${enc(id)}`));
  }

  /** Deliveries by status, of messages since `since` when given (counts of "now", as `waitingRetry`, ignore it). */
  stats(id: string, since?: Date): Promise<EndpointStats> {
    return this.request('GET', this.app(`/endpoint/${enc(id)}/stats`), { query: { since: since?.toISOString() } });
  }

  /** One endpoint's attempts per hour from `since` (`endpoint_id` is Homing's extension of Svix's app-attempts statistics). */
  attemptSeries(endpointId: string, since: Date): Promise<AttemptSeries> {
    return this.request('GET', `/stats/app/${enc(this.appId)}/attempt`, { query: { endpoint_id: endpointId, startDate: since.toISOString(), period: 'OneHour' } });
  }

  secret(id: string): Promise<{ key: string }> {
    return this.request('GET', this.app(`/endpoint/${enc(id)}/secret`));
  }

  rotateSecret(id: string): Promise<void> {
    return this.request('POST', this.app(`/endpoint/${enc(id)}/secret/rotate`), { body: {} });
  }

  headers(id: string): Promise<EndpointHeaders> {
    return this.request('GET', this.app(`/endpoint/${enc(id)}/headers`));
  }

  /** Sets the headers given (null removes one); the others stay. */
  patchHeaders(id: string, headers: Record<string, string | null>): Promise<void> {
    return this.request('PATCH', this.app(`/endpoint/${enc(id)}/headers`), { body: { headers } });
  }

  /** The endpoint's transformation: its code, whether deliveries run it, its variables. */
  transformation(id: string): Promise<Transformation> {
    return this.request('GET', this.app(`/endpoint/${enc(id)}/transformation`));
  }

  /** Sets the fields given; new code must compile and declare `handler` (a 422 on `code` says why not). */
  updateTransformation(id: string, change: TransformationChange): Promise<void> {
    return this.request('PATCH', this.app(`/endpoint/${enc(id)}/transformation`), { body: change });
  }

  /** What code would make of a webhook with this payload to the endpoint; nothing is stored or sent. */
  simulateTransformation(id: string, input: SimulateInput): Promise<Simulated> {
    return this.request('POST', this.app(`/endpoint/${enc(id)}/transformation/simulate`), { body: input });
  }

  recover(id: string, since: Date): Promise<BackgroundTask> {
    return this.request('POST', this.app(`/endpoint/${enc(id)}/recover`), { body: { since: since.toISOString() } });
  }

  /** Sends now every delivery to the endpoint waiting on a retry; how many. */
  retryNow(id: string): Promise<RetryNow> {
    return this.request('POST', this.app(`/endpoint/${enc(id)}/retry-now`));
  }

  task(id: string): Promise<BackgroundTask> {
    return this.request('GET', `/background-task/${enc(id)}`);
  }

  sendExample(endpointId: string, eventType: string): Promise<Message> {
    return this.request('POST', this.app(`/endpoint/${enc(endpointId)}/send-example`), { body: { eventType } });
  }

  endpointAttempts(endpointId: string, query: AttemptQuery): Promise<Page<Attempt>> {
    return this.request('GET', this.app(`/attempt/endpoint/${enc(endpointId)}`), { query: { ...query, with_msg: true, limit: 25 } });
  }

  message(id: string): Promise<Message> {
    return this.request('GET', this.app(`/msg/${enc(id)}`), { query: { with_content: true } });
  }

  /** The payload's text as delivered: a message's `payload` shows one that is not JSON (XML, text) as `{}`. */
  rawPayload(id: string): Promise<RawPayload> {
    return this.request('GET', this.app(`/msg/${enc(id)}/raw`));
  }

  /** All of a message's attempts (to one endpoint if given); with a query, a page of 25 of those it matches. */
  messageAttempts(msgId: string, endpointId?: string, query?: AttemptQuery): Promise<Page<Attempt>> {
    return this.request('GET', this.app(`/attempt/msg/${enc(msgId)}`), { query: { with_content: true, endpoint_id: endpointId, limit: query ? 25 : 250, ...query } });
  }

  destinations(msgId: string): Promise<Page<Destination>> {
    return this.request('GET', this.app(`/msg/${enc(msgId)}/endpoint`), { query: { limit: 250 } });
  }

  resend(msgId: string, endpointId: string): Promise<void> {
    return this.request('POST', this.app(`/msg/${enc(msgId)}/endpoint/${enc(endpointId)}/resend`));
  }

  private app(path: string): string {
    return `/app/${enc(this.appId)}${path}`;
  }

  private async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {})) if (value != null) params.set(name, String(value));
    const url = `/api/v1${path}${params.size ? `?${params}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
    }
    const body = parseJson(await response.text());
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, body));
    return body as T;
  }
}

const enc = encodeURIComponent;

/** A body that is not JSON (a proxy's error page) reads as none; the status still says what happened. */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
