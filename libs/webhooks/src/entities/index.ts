import { ApplicationEntity } from './application.entity.js';
import { AttemptEntity } from './attempt.entity.js';
import { AttemptCountEntity } from './attempt-count.entity.js';
import { CountChangeEntity } from './count-change.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import { DeliveryCountEntity } from './delivery-count.entity.js';
import { EndpointEntity } from './endpoint.entity.js';
import { EventTypeEntity } from './event-type.entity.js';
import { MessageEntity } from './message.entity.js';

export { ApplicationEntity, AttemptCountEntity, AttemptEntity, CountChangeEntity, DeliveryCountEntity, DeliveryEntity, EndpointEntity, EventTypeEntity, MessageEntity };
export type { PreviousSecret } from '../signing/secret-rotation.js';
export type { DeliveryStatus, AttemptTrigger } from './delivery.entity.js';
export type { EndpointOrdering } from './endpoint.entity.js';
export type { AttemptHeaders, AttemptStatus } from './attempt.entity.js';
export type { EndpointTransformation } from './endpoint.entity.js';
export type { AttemptCountSpan } from './attempt-count.entity.js';
export type { CountKind } from './count-change.entity.js';
export type { DeliveryCountStatus } from './delivery-count.entity.js';
export type { LoadedDelivery } from './loaded-delivery.js';

/** Entities to add to a host's own DataSource when it lends one to the module. */
export const HOMING_ENTITIES = [
  ApplicationEntity,
  EventTypeEntity,
  EndpointEntity,
  MessageEntity,
  DeliveryEntity,
  AttemptEntity,
  CountChangeEntity,
  DeliveryCountEntity,
  AttemptCountEntity,
];
