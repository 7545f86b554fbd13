// What a host app uses. What Homing's own dispatcher, CLI and tests also build on (validators, parsers,
// paging helpers, signing internals) is `@homing/webhooks/internal`, with no compatibility promise.

// Sending: the module, its options and injection
export * from './webhooks.module.js';
export type { WebhooksModuleExtras } from './webhooks-module-definition.js';
export type { OrderedFailure, ResolvedWebhooksOptions, WebhooksDatabaseOptions, WebhooksModuleOptions } from './config/webhooks-options.interface.js';
export { HOMING_EVENT, OPERATIONAL_EVENT, WEBHOOKS_DATA_SOURCE, WEBHOOKS_OPTIONS } from './webhooks.constants.js';
export { InjectWebhooksDataSource, InjectWebhooksOptions } from './webhooks.decorators.js';

// The services a host calls, what they take and what they give
export { ApplicationsService, type ApplicationPageOptions } from './admin/applications.service.js';
export { EndpointsService } from './admin/endpoints.service.js';
export { EventTypesService, type EventTypeImport } from './admin/event-types.service.js';
export type { EventTypeFromOpenApi } from './admin/event-type-openapi.js';
export { MessagesService, type MessageEvents, type MessageEventsOptions, type MessageFilters, type RawPayload } from './admin/messages.service.js';
export { AttemptsService, type AttemptCount, type AttemptFilters, type EndpointMessage, type EndpointStats, type MessageDestination } from './admin/attempts.service.js';
export { StatusService, type QueueDepth, type StoresHealth } from './admin/status.service.js';
export {
  StatisticsService,
  type ApplicationUsage,
  type AttemptCounts,
  type AttemptSeries,
  type AttemptTotals,
  type EndpointCounts,
  type EventTypeSubscriptions,
} from './admin/statistics.service.js';
export { RecoveryService } from './admin/recovery.service.js';
export { TransformationsService, type SimulatedWebhook, type TransformationSettings } from './admin/transformations.service.js';
export { ProducerService, type SendOptions, type SentMessage } from './producer/producer.service.js';
export { ApplicationInput } from './inputs/application.input.js';
export { EndpointInput } from './inputs/endpoint.input.js';
export { EventTypeInput } from './inputs/event-type.input.js';
export { EventTypeImportInput } from './inputs/event-type-operations.input.js';
export { MessageInput } from './inputs/message.input.js';
export { BulkReplayInput, ReplayInput } from './inputs/replay.input.js';
export { EndpointTransformationInput, TransformationSimulateInput } from './inputs/transformation.input.js';
export type { TransformationMethod } from './transformation/webhook-object.js';
export { AttemptSeriesInput, AttemptTotalsInput, UsageInput, type StatisticsPeriod } from './inputs/statistics.input.js';
export type { Page, PageOptions, SortOrder } from './admin/pagination.js';
export type { SignatureScheme } from './signing/signature-scheme.js';
export type { SigningSchemeName } from './signing/schemes/registry.js';
export type { AttemptMadeEvent } from './delivery/attempt-made.event.js';
export type { OperationalEvent } from './operational/operational-events.service.js';

// Errors, to catch by class, and a filter that answers them over HTTP
export * from './exceptions/index.js';

// Tables: for a host that lends its DataSource or queries them
export * from './entities/index.js';
export { HOMING_MIGRATIONS } from './migrations/index.js';

// Receiving
export { WebhookController, WebhookHandler } from './receiver/webhook.decorators.js';
export { WebhookSignatureGuard } from './receiver/webhook-signature.guard.js';
export type { WebhookContext } from './receiver/webhook-context.js';
export type { WebhookReceipt } from './receiver/webhook.dispatcher.js';
export type { WebhookReceiverModuleExtras } from './receiver/webhook-receiver-module-definition.js';
export type * from './receiver/webhook-receiver-options.interface.js';
