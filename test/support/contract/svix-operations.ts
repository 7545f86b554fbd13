import {
  anyObject,
  boolean,
  dateTime,
  id,
  integer,
  list,
  mapOf,
  matching,
  nullable,
  oneOf,
  record,
  text,
  type Shape,
} from './shapes.js';

/**
 * The responses Svix publishes for the operations Homing serves, written from Svix's OpenAPI document
 * (`codegen/lib-openapi.json` in svix/svix-webhooks; the ping from the open-source server's
 * `server/openapi.json`). Names follow the document's schemas so a reader can hold the two side by side.
 */

const EVENT_TYPE_NAME = matching(/^[a-zA-Z0-9\-_.]+$/, 'an event type name');
/** Deliberately wider than Svix: an endpoint's filter may end in Homing's wildcard (`order.*`). */
const EVENT_TYPE_FILTER = matching(/^(?:[a-zA-Z0-9\-_]+\.)*(?:[a-zA-Z0-9\-_]+|\*)$/, 'an event type name or pattern');

/** A Svix list: the iterator pages by the listed kind's id (`prevIterator` is the same, after a `-`). */
function pageOf(item: Shape, key: Shape): Shape {
  const pattern = key.kind === 'text' && key.pattern ? key.pattern : /.*/;
  const backwards = matching(new RegExp(`^-${pattern.source.slice(1)}`), `"-" and ${key.kind === 'text' ? key.describe : 'a key'}`);
  return record({ data: list(item), iterator: nullable(key), 'prevIterator?': nullable(backwards), done: boolean });
}

const MessageStatus = oneOf(0, 1, 2, 3, 4);
const MessageStatusText = oneOf('success', 'pending', 'fail', 'sending', 'canceled');
const MessageAttemptTriggerType = oneOf(0, 1);
const BackgroundTaskStatus = oneOf('running', 'finished', 'failed');
const BackgroundTaskType = oneOf(
  'endpoint.replay',
  'endpoint.recover',
  'application.stats',
  'message.broadcast',
  'sdk.generate',
  'event-type.aggregate',
  'application.purge_content',
  'endpoint.bulk-replay',
);
/** ReplayOut, RecoverOut, ExpungeAllContentsOut, AggregateEventTypesOut, ExportEventTypeOut: one shape. */
const TaskStarted = record({ id: id('qtask'), status: BackgroundTaskStatus, task: BackgroundTaskType, updatedAt: dateTime });

const AppPortalAccessOut = record({ url: text, token: text });
const WhoamiOut = record({
  'envId?': nullable(id('org')),
  'appId?': nullable(id('app')),
  'streamAppId?': nullable(text),
  permissionSource: oneOf('OidcJwt', 'SvixJwt', 'RegionalAuthToken', 'GlobalAuthToken', 'Unknown'),
  'sessionId?': nullable(text),
});

const ApplicationOut = record({
  'uid?': nullable(text),
  name: text,
  'throttleRate?': nullable(integer),
  id: id('app'),
  createdAt: dateTime,
  updatedAt: dateTime,
  metadata: mapOf(text),
});
const ActiveAppCount = record({ count: integer });
const AppAttemptStatsOut = record({
  by_event_type: mapOf(record({ success: integer, failure: integer, canceled: integer })),
  total_success: integer,
  total_failure: integer,
  total_canceled: integer,
  since: dateTime,
  until: dateTime,
});

/** What EndpointOut, MessageEndpointOut and OperationalWebhookEndpointOut share. */
const EndpointFields = {
  id: id('ep'),
  url: text,
  description: text,
  'throttleRate?': nullable(integer),
  'uid?': nullable(text),
  'disabled?': boolean,
  'eventTypes?': nullable(list(EVENT_TYPE_FILTER)),
  createdAt: dateTime,
  updatedAt: dateTime,
};
const EndpointOut = record({ ...EndpointFields, metadata: mapOf(text), 'channels?': nullable(list(text)) });
const EndpointSecretOut = record({ key: text });
const EndpointHeadersOut = record({ headers: mapOf(text), sensitive: list(text) });
const EndpointStats = record({ success: integer, pending: integer, sending: integer, fail: integer, canceled: integer });
const EndpointThrottleRateStatusOut = record({ status: oneOf('Ok', 'RateLimited'), 'throttledSince?': nullable(dateTime) });
const EndpointTransformationOut = record({ 'code?': nullable(text), 'enabled?': boolean, 'variables?': nullable(mapOf(text)), 'updatedAt?': nullable(dateTime) });
const TransformationSimulateOut = record({ url: text, payload: text, 'method?': nullable(oneOf('POST', 'PUT', 'PATCH')), cancel: boolean });

const EventTypeOut = record({
  name: EVENT_TYPE_NAME,
  description: text,
  'archived?': boolean,
  deprecated: boolean,
  'schemas?': nullable(anyObject),
  createdAt: dateTime,
  updatedAt: dateTime,
  'groupName?': nullable(text),
  'featureFlags?': nullable(list(text)),
  'featureFlag?': nullable(text),
});
const EventTypeFromOpenApi = record({
  name: EVENT_TYPE_NAME,
  description: text,
  'schemas?': nullable(anyObject),
  deprecated: boolean,
  'groupName?': nullable(text),
  'featureFlags?': nullable(list(text)),
});
const EventTypeImportOpenApiOut = record({ data: record({ modified: list(EVENT_TYPE_NAME), 'to_modify?': nullable(list(EventTypeFromOpenApi)) }) });
const RetryScheduleInOut = record({ 'retrySchedule?': nullable(list(record({ secs: integer, nanos: integer }))) });

const MessageFields = {
  'eventId?': nullable(text),
  eventType: EVENT_TYPE_NAME,
  payload: anyObject,
  'channels?': nullable(list(text)),
  id: id('msg'),
  timestamp: dateTime,
  'tags?': nullable(list(text)),
  'deliverAt?': nullable(dateTime),
};
const MessageOut = record(MessageFields);
const MessagePrecheckOut = record({ active: boolean });
const MessageEventsOut = record({ data: list(MessageOut), iterator: text, done: boolean });
const BulkExpungeContentsOut = record({ results: mapOf(oneOf('expunged', 'not-found')) });
const MessageRawPayloadOut = record({ payload: text });

const AttemptFields = {
  url: text,
  response: text,
  responseStatusCode: integer,
  responseDurationMs: integer,
  status: MessageStatus,
  statusText: MessageStatusText,
  triggerType: MessageAttemptTriggerType,
  msgId: id('msg'),
  endpointId: id('ep'),
  id: id('atmpt'),
  timestamp: dateTime,
};
const MessageAttemptOut = record({ ...AttemptFields, 'msg?': nullable(MessageOut) });
const CountOut = record({ count: integer, approximated: boolean });
const EndpointMessageOut = record({ ...MessageFields, status: MessageStatus, statusText: MessageStatusText, 'nextAttempt?': nullable(dateTime) });
const MessageEndpointOut = record({
  ...EndpointFields,
  'channels?': nullable(list(text)),
  status: MessageStatus,
  statusText: MessageStatusText,
  'nextAttempt?': nullable(dateTime),
});
const MessageAttemptHeadersOut = record({ sentHeaders: mapOf(text), 'responseHeaders?': nullable(list(list(text))), sensitive: list(text) });

const AppUsageStatsOut = record({ unresolvedAppIds: list(text), id: id('qtask'), status: BackgroundTaskStatus, task: BackgroundTaskType, updatedAt: dateTime });
const EndpointCountOut = record({ active: integer, disabled: integer });
const AttemptStatisticsResponse = record({
  startDate: dateTime,
  endDate: dateTime,
  period: oneOf('OneDay', 'OneHour', 'FiveMinutes'),
  data: record({ 'successCount?': nullable(list(integer)), 'failureCount?': nullable(list(integer)), 'canceledCount?': nullable(list(integer)) }),
});
const BackgroundTaskOut = record({ data: anyObject, id: id('qtask'), status: BackgroundTaskStatus, task: BackgroundTaskType, updatedAt: dateTime });

const OperationalWebhookEndpointOut = record({ ...EndpointFields, metadata: mapOf(text) });

/** A 2xx with no body. */
export const EMPTY = 'empty';

export const HttpErrorOut = record({ code: text, detail: text });
export const HTTPValidationError = record({ detail: list(record({ loc: list(text), msg: text, type: text })) });

export interface SvixOperation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Svix's path template, `{name}` for a parameter. */
  path: string;
  /** The success statuses Svix documents, with their bodies. */
  ok: Record<number, Shape | typeof EMPTY>;
  /** The error statuses Svix documents (HttpErrorOut, or HTTPValidationError for 422). */
  errors: number[];
}

/** What nearly every operation lists. */
const ERRORS = [400, 401, 403, 404, 409, 422, 429];

function operation(operationId: string, method: SvixOperation['method'], path: string, ok: SvixOperation['ok'], errors = ERRORS): SvixOperation {
  return { id: operationId, method, path, ok, errors };
}

export const SVIX_OPERATIONS: SvixOperation[] = [
  operation('v1.authentication.app-portal-access', 'POST', '/api/v1/auth/app-portal-access/{app_id}', { 200: AppPortalAccessOut }),
  operation('v1.authentication.whoami', 'GET', '/api/v1/auth/whoami', { 200: WhoamiOut }),
  operation('v1.authentication.logout', 'POST', '/api/v1/auth/logout', { 204: EMPTY }),
  operation('v1.authentication.expire-all', 'POST', '/api/v1/auth/app/{app_id}/expire-all', { 204: EMPTY }),

  operation('v1.application.list', 'GET', '/api/v1/app', { 200: pageOf(ApplicationOut, id('app')) }),
  operation('v1.application.create', 'POST', '/api/v1/app', { 200: ApplicationOut, 201: ApplicationOut }),
  operation('v1.application.get', 'GET', '/api/v1/app/{app_id}', { 200: ApplicationOut }),
  operation('v1.application.upsert', 'PUT', '/api/v1/app/{app_id}', { 200: ApplicationOut, 201: ApplicationOut }),
  operation('v1.application.delete', 'DELETE', '/api/v1/app/{app_id}', { 204: EMPTY }),
  operation('v1.application.patch', 'PATCH', '/api/v1/app/{app_id}', { 200: ApplicationOut }),
  operation('v1.application.count-active', 'GET', '/api/v1/app/stats/count-active', { 200: ActiveAppCount }),
  operation('v1.application.stats.attempts', 'GET', '/api/v1/app/{app_id}/stats/attempts', { 200: AppAttemptStatsOut }),

  operation('v1.endpoint.list', 'GET', '/api/v1/app/{app_id}/endpoint', { 200: pageOf(EndpointOut, id('ep')) }),
  operation('v1.endpoint.create', 'POST', '/api/v1/app/{app_id}/endpoint', { 201: EndpointOut }),
  operation('v1.endpoint.get', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}', { 200: EndpointOut }),
  operation('v1.endpoint.upsert', 'PUT', '/api/v1/app/{app_id}/endpoint/{endpoint_id}', { 200: EndpointOut, 201: EndpointOut }),
  operation('v1.endpoint.delete', 'DELETE', '/api/v1/app/{app_id}/endpoint/{endpoint_id}', { 204: EMPTY }),
  operation('v1.endpoint.patch', 'PATCH', '/api/v1/app/{app_id}/endpoint/{endpoint_id}', { 200: EndpointOut }),
  operation('v1.endpoint.cancel-msgs', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/cancel-msgs', { 204: EMPTY }),
  operation('v1.endpoint.get-secret', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret', { 200: EndpointSecretOut }),
  operation('v1.endpoint.rotate-secret', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate', { 204: EMPTY }),
  operation('v1.endpoint.get-headers', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers', { 200: EndpointHeadersOut }),
  operation('v1.endpoint.set-headers', 'PUT', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers', { 204: EMPTY }),
  operation('v1.endpoint.patch-headers', 'PATCH', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers', { 204: EMPTY }),
  operation('v1.endpoint.replay-missing', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing', { 202: TaskStarted }),
  operation('v1.endpoint.bulk-replay', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay', { 202: TaskStarted }),
  operation('v1.endpoint.get-stats', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats', { 200: EndpointStats }),
  operation('v1.endpoint.get-throttling-status', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/rate-limit-status', { 200: EndpointThrottleRateStatusOut }),
  operation('v1.endpoint.recover', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover', { 202: TaskStarted }),
  operation('v1.endpoint.send-example', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example', { 202: MessageOut }),
  operation('v1.endpoint.transformation.get', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation', { 200: EndpointTransformationOut }),
  operation('v1.endpoint.transformation.patch', 'PATCH', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation', { 204: EMPTY }),
  operation('v1.endpoint.transformation.simulate', 'POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation/simulate', { 200: TransformationSimulateOut }),

  operation('v1.event-type.list', 'GET', '/api/v1/event-type', { 200: pageOf(EventTypeOut, EVENT_TYPE_NAME) }),
  operation('v1.event-type.create', 'POST', '/api/v1/event-type', { 201: EventTypeOut }),
  operation('v1.event-type.import-openapi', 'POST', '/api/v1/event-type/import/openapi', { 200: EventTypeImportOpenApiOut }),
  operation('v1.event-type.export-openapi', 'POST', '/api/v1/event-type/export/openapi', { 202: TaskStarted }),
  operation('v1.event-type.get', 'GET', '/api/v1/event-type/{event_type_name}', { 200: EventTypeOut }),
  operation('v1.event-type.upsert', 'PUT', '/api/v1/event-type/{event_type_name}', { 200: EventTypeOut, 201: EventTypeOut }),
  operation('v1.event-type.delete', 'DELETE', '/api/v1/event-type/{event_type_name}', { 204: EMPTY }),
  operation('v1.event-type.patch', 'PATCH', '/api/v1/event-type/{event_type_name}', { 200: EventTypeOut }),
  operation('v1.event-type.get-retry-schedule', 'GET', '/api/v1/event-type/{event_type_name}/retry-schedule', { 200: RetryScheduleInOut }),
  operation('v1.event-type.set-retry-schedule', 'PUT', '/api/v1/event-type/{event_type_name}/retry-schedule', { 200: RetryScheduleInOut }),

  operation('v1.message.list', 'GET', '/api/v1/app/{app_id}/msg', { 200: pageOf(MessageOut, id('msg')) }),
  operation('v1.message.create', 'POST', '/api/v1/app/{app_id}/msg', { 202: MessageOut }, [...ERRORS, 413]),
  operation('v1.message.precheck', 'POST', '/api/v1/app/{app_id}/msg/precheck/active', { 200: MessagePrecheckOut }),
  operation('v1.message.events', 'GET', '/api/v1/app/{app_id}/events', { 200: MessageEventsOut }),
  operation('v1.message.get', 'GET', '/api/v1/app/{app_id}/msg/{msg_id}', { 200: MessageOut }),
  operation('v1.message.expunge-content', 'DELETE', '/api/v1/app/{app_id}/msg/{msg_id}/content', { 204: EMPTY }),
  operation('v1.message.bulk-expunge-content', 'POST', '/api/v1/app/{app_id}/msg/bulk-expunge', { 200: BulkExpungeContentsOut }),
  operation('v1.message.expunge-all-contents', 'POST', '/api/v1/app/{app_id}/msg/expunge-all-contents', { 202: TaskStarted }),
  operation('v1.message.get-raw-payload', 'GET', '/api/v1/app/{app_id}/msg/{msg_id}/raw', { 200: MessageRawPayloadOut }),

  operation('v1.message-attempt.list-by-endpoint', 'GET', '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}', { 200: pageOf(MessageAttemptOut, id('atmpt')) }),
  operation('v1.message-attempt.count-by-endpoint', 'GET', '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}/count', { 200: CountOut }),
  operation('v1.message-attempt.list-by-msg', 'GET', '/api/v1/app/{app_id}/attempt/msg/{msg_id}', { 200: pageOf(MessageAttemptOut, id('atmpt')) }),
  operation('v1.message-attempt.list-attempted-messages', 'GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg', { 200: pageOf(EndpointMessageOut, id('msg')) }),
  operation('v1.message-attempt.list-attempted-destinations', 'GET', '/api/v1/app/{app_id}/msg/{msg_id}/endpoint', { 200: pageOf(MessageEndpointOut, id('ep')) }),
  operation('v1.message-attempt.get-headers', 'GET', '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers', { 200: MessageAttemptHeadersOut }),
  operation('v1.message-attempt.get', 'GET', '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}', { 200: MessageAttemptOut }),
  operation('v1.message-attempt.expunge-content', 'DELETE', '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content', { 204: EMPTY }),
  operation('v1.message-attempt.resend', 'POST', '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', { 202: anyObject }),

  operation('v1.statistics.aggregate-event-types', 'PUT', '/api/v1/stats/usage/event-types', { 202: TaskStarted }),
  operation('v1.statistics.aggregate-app-stats', 'POST', '/api/v1/stats/usage/app', { 202: AppUsageStatsOut }),
  operation('v1.statistics.endpoint-count', 'GET', '/api/v1/stats/endpoint/count', { 200: EndpointCountOut }),
  operation('v1.stats.app-attempts', 'GET', '/api/v1/stats/app/{app_id}/attempt', { 200: AttemptStatisticsResponse }),

  operation('v1.background-task.list', 'GET', '/api/v1/background-task', { 200: pageOf(BackgroundTaskOut, id('qtask')) }),
  operation('v1.background-task.get', 'GET', '/api/v1/background-task/{task_id}', { 200: BackgroundTaskOut }),

  operation('v1.operational-webhook.endpoint.list', 'GET', '/api/v1/operational-webhook/endpoint', { 200: pageOf(OperationalWebhookEndpointOut, id('ep')) }),
  operation('v1.operational-webhook.endpoint.create', 'POST', '/api/v1/operational-webhook/endpoint', { 201: OperationalWebhookEndpointOut }),
  operation('v1.operational-webhook.endpoint.get', 'GET', '/api/v1/operational-webhook/endpoint/{endpoint_id}', { 200: OperationalWebhookEndpointOut }),
  operation('v1.operational-webhook.endpoint.upsert', 'PUT', '/api/v1/operational-webhook/endpoint/{endpoint_id}', { 200: OperationalWebhookEndpointOut }),
  operation('v1.operational-webhook.endpoint.delete', 'DELETE', '/api/v1/operational-webhook/endpoint/{endpoint_id}', { 204: EMPTY }),
  operation('v1.operational-webhook.endpoint.get-secret', 'GET', '/api/v1/operational-webhook/endpoint/{endpoint_id}/secret', { 200: EndpointSecretOut }),
  operation('v1.operational-webhook.endpoint.rotate-secret', 'POST', '/api/v1/operational-webhook/endpoint/{endpoint_id}/secret/rotate', { 204: EMPTY }),
  operation('v1.operational-webhook.endpoint.get-headers', 'GET', '/api/v1/operational-webhook/endpoint/{endpoint_id}/headers', { 200: EndpointHeadersOut }),
  operation('v1.operational-webhook.endpoint.set-headers', 'PUT', '/api/v1/operational-webhook/endpoint/{endpoint_id}/headers', { 204: EMPTY }),

  operation('v1.health.get', 'GET', '/api/v1/health', { 204: EMPTY }),
  // The open-source server's own document: no operationId, no error responses.
  operation('health.ping', 'GET', '/api/v1/health/ping', { 204: EMPTY }, []),
];

