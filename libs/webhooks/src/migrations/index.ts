import { CreateHomingSchema1763800000000 } from './1763800000000-create-homing-schema.js';
import { AddApiRecords1764000000000 } from './1764000000000-add-api-records.js';
import { AddSendingOptions1764200000000 } from './1764200000000-add-sending-options.js';
import { AddDeliveryClaim1764400000000 } from './1764400000000-add-delivery-claim.js';
import { ExactIdentifiers1764600000000 } from './1764600000000-exact-identifiers.js';
import { AddMessageContentType1764900000000 } from './1764900000000-add-message-content-type.js';
import { AddEventTypeRetrySchedule1765100000000 } from './1765100000000-add-event-type-retry-schedule.js';
import { AddAttemptHeaders1765000000000 } from './1765000000000-add-attempt-headers.js';
import { AddAttemptStatisticsIndex1765200000000 } from './1765200000000-add-attempt-statistics-index.js';
import { AddStatisticsCounts1765300000000 } from './1765300000000-add-statistics-counts.js';
import { AddRetentionIndex1765400000000 } from './1765400000000-add-retention-index.js';
import { AddDeliveryThrottleSlot1765500000000 } from './1765500000000-add-delivery-throttle-slot.js';
import { AddMessageTraceContext1765600000000 } from './1765600000000-add-message-trace-context.js';
import { AddEndpointTransformation1765700000000 } from './1765700000000-add-endpoint-transformation.js';
import { AddOrderedDelivery1765800000000 } from './1765800000000-add-ordered-delivery.js';

/** Migrations to add to a host's own DataSource when it lends one to the module. */
export const HOMING_MIGRATIONS = [
  CreateHomingSchema1763800000000,
  AddApiRecords1764000000000,
  AddSendingOptions1764200000000,
  AddDeliveryClaim1764400000000,
  ExactIdentifiers1764600000000,
  AddMessageContentType1764900000000,
  AddEventTypeRetrySchedule1765100000000,
  AddAttemptHeaders1765000000000,
  AddAttemptStatisticsIndex1765200000000,
  AddStatisticsCounts1765300000000,
  AddRetentionIndex1765400000000,
  AddDeliveryThrottleSlot1765500000000,
  AddMessageTraceContext1765600000000,
  AddEndpointTransformation1765700000000,
  AddOrderedDelivery1765800000000,
];
