export * from './webhooks.module.js';
export * from './webhooks.constants.js';
export * from './webhooks.decorators.js';
export type { WebhooksModuleExtras } from './webhooks-module-definition.js';
export * from './config/webhooks-options.interface.js';
export { parseDuration, parseDurationList } from './config/duration.js';
export { parseByteSize } from './config/byte-size.js';
export { AddressPolicy } from './security/address-ranges.js';
export { parseCidr, parseEncryptionKey, parseProxyUrl } from './config/parse-security.js';
export * from './entities/index.js';
export { newId } from './entities/entity-id.js';
export { isDatabaseUnavailable, isDuplicateKey } from './entities/database-errors.js';
export { HOMING_MIGRATIONS } from './migrations/index.js';
export { exactCollation } from './migrations/exact-collation.js';
export { ApplicationsService } from './admin/applications.service.js';
export { EndpointsService } from './admin/endpoints.service.js';
export { EventTypesService } from './admin/event-types.service.js';
export { ApplicationInput } from './inputs/application.input.js';
export { EndpointInput } from './inputs/endpoint.input.js';
export { EventTypeInput } from './inputs/event-type.input.js';
export { MessageInput } from './inputs/message.input.js';
export { assertJsonDepth, fieldErrors, MAX_DELIVER_AHEAD_DAYS, MAX_JSON_DEPTH, MAX_STORED_JSON_DEPTH, isHeaderValue, plainToDto, validateInput } from './inputs/validation.js';
export * from './exceptions/index.js';
export {
  IsDateTime,
  IsDeliverAt,
  IsDescription,
  IsEndpointUrl,
  IsEventTypeFilter,
  IsEventTypeName,
  IsHeaderMap,
  IsIntIn,
  IsJsonObject,
  IsJsonText,
  IsLabelList,
  IsOmittable,
  IsRateLimit,
  IsRetentionDays,
  IsShortText,
  IsSignatureScheme,
  IsStringMap,
  IsText,
  IsUid,
  IsWebhookSecret,
  ToDate,
} from './inputs/validation.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, mapPage, paginate, type Page, type PageOptions, type SortOrder } from './admin/pagination.js';
export type { ApplicationPageOptions } from './admin/applications.service.js';
export { MessagesService, type MessageFilters } from './admin/messages.service.js';
export { AttemptsService, type AttemptFilters, type EndpointMessage, type EndpointStats, type MessageDestination } from './admin/attempts.service.js';
export { StatusService, type QueueDepth, type StoresHealth } from './admin/status.service.js';
export type { AttemptMadeEvent } from './delivery/attempt-made.event.js';
export { signingSecrets } from './signing/secret-rotation.js';
export { ProducerService, type SendOptions, type SentMessage } from './producer/producer.service.js';
export { OperationalEventsService, type OperationalEvent } from './operational/operational-events.service.js';
export { filterAccepts, matchesEventTypePattern, isValidEventTypePattern } from './common/event-type-pattern.js';
export { RecoveryService } from './admin/recovery.service.js';
export { DeliverySweeper } from './delivery/delivery.sweeper.js';
export { PayloadRetentionService, PURGED_PAYLOAD } from './retention/payload-retention.service.js';
export type { SignatureScheme } from './signing/signature-scheme.js';
export { developerIdOf, envelopeBody } from './delivery/envelope.js';
export { generateSecret } from './signing/webhook-secret.js';
export { KEY_FORMATS, SECRET_FORMATS, signingScheme, type SigningSchemeName } from './signing/schemes/registry.js';
export type { SigningScheme } from './signing/schemes/signing-scheme.js';
export { signPayload, signatureHeaders } from './signing/webhook-signer.js';
export { verifyStandardWebhook, verifyBodyHmac, WebhookVerificationError, type VerifiedStandardWebhook } from './signing/webhook-verifier.js';
export { bodyHmac } from './signing/webhook-signer.js';
export { WebhookController, WebhookHandler } from './receiver/webhook.decorators.js';
export { WebhookSignatureGuard } from './receiver/webhook-signature.guard.js';
export type { WebhookContext } from './receiver/webhook-context.js';
export type { WebhookReceipt } from './receiver/webhook.dispatcher.js';
export type { WebhookReceiverModuleExtras } from './receiver/webhook-receiver-module-definition.js';
export type * from './receiver/webhook-receiver-options.interface.js';
