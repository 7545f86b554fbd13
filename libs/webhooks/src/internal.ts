// What Homing's own dispatcher, CLI and tests build on beyond the public face (index.ts): validators and
// limits of the API's inputs, configuration parsers and defaults, paging helpers, ids, database error
// tests, workers a test drives, signing internals. No compatibility promise to host apps.

export {
  DEFAULT_BACKLOG_CPU_CEILING,
  DEFAULT_DISABLE_AFTER,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_PAYLOAD_RETENTION,
  DEFAULT_RETENTION,
  DEFAULT_PURGE_INTERVAL,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_RETRY_SCHEDULE,
} from './webhooks.constants.js';
export { parseDuration, parseDurationList } from './config/duration.js';
export { parseCpuCeiling, parseOrderedFailure, parseRetention } from './config/resolve-options.js';
export { parseByteSize } from './config/byte-size.js';
export { parseCidr, parseEncryptionKey, parseProxyUrl } from './config/parse-security.js';
export { newId } from './entities/entity-id.js';
export { isDatabaseUnavailable, isDuplicateKey } from './entities/database-errors.js';
export { exactCollation } from './migrations/exact-collation.js';
export { openMigrated } from './migrations/migrate-once.js';
export { isJsonMediaType } from './common/media-type.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, mapPage, paginate } from './admin/pagination.js';
export {
  assertJsonDepth,
  fieldErrors,
  isHeaderValue,
  IsDateTime,
  IsDeliverAt,
  IsDescription,
  IsEndpointUrl,
  IsEventTypeFilter,
  IsEventTypeName,
  IsHeaderMap,
  IsIntIn,
  IsJsonObject,
  IsLabelList,
  IsMediaType,
  IsOmittable,
  IsPayloadText,
  IsRateLimit,
  IsRetentionDays,
  IsShortText,
  IsSignatureScheme,
  IsStringMap,
  IsText,
  IsTransformationCode,
  IsTransformationVariables,
  IsUid,
  IsWebhookSecret,
  MAX_DELIVER_AHEAD_DAYS,
  MAX_JSON_DEPTH,
  MAX_STORED_JSON_DEPTH,
  plainToDto,
  ToDate,
  validateInput,
} from './inputs/validation.js';
export { IsWindowEnd, IsWindowStart, MAX_STATISTICS_DAYS, STATISTICS_PERIODS } from './inputs/statistics.input.js';
export { IsReplaySince, IsReplayUntil, MAX_REPLAY_DAYS, STATUS_CODE_CLASSES } from './inputs/replay.input.js';
export { KEY_FORMATS, SECRET_FORMATS, signingScheme } from './signing/schemes/registry.js';
export { generateSecret } from './signing/webhook-secret.js';
export { MAX_RETRY_DELAY_MS, MAX_RETRY_SCHEDULE_LENGTH } from './inputs/event-type-operations.input.js';
export { DeliverySweeper } from './delivery/delivery.sweeper.js';
export { DeliveryQueue } from './queue/delivery.queue.js';
export { CountsFolder } from './statistics/counts.folder.js';
export { OperationalEventsService } from './operational/operational-events.service.js';
export { OPERATIONAL_APP_ID, TRANSFORMATION_LIMITS, TRANSFORMATION_METHODS } from './webhooks.constants.js';
export { TransformationSandbox } from './transformation/transformation.sandbox.js';
export { PayloadRetentionService } from './retention/payload-retention.service.js';
export { PURGED_PAYLOAD } from './store/payload-purge.js';
export { sendValidated } from './producer/producer.service.js';
export { EVENTS_SETTLE_MS } from './admin/messages.service.js';
export { isSensitiveHeader } from './security/sensitive-headers.js';
