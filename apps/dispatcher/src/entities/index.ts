import { BackgroundTaskEntity } from './background-task.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { PortalTokenEntity } from './portal-token.entity.js';

export { BackgroundTaskEntity, IdempotencyRecordEntity, PortalTokenEntity };
export type { BackgroundTaskStatus } from './background-task.entity.js';
export type { IdempotencyState } from './idempotency-record.entity.js';

/** The tables the API keeps beside the library's, in the dispatcher's own DataSource. */
export const DISPATCHER_ENTITIES = [PortalTokenEntity, IdempotencyRecordEntity, BackgroundTaskEntity];
