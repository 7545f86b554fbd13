import type { ApplicationEntity } from './application.entity.js';
import type { DeliveryEntity } from './delivery.entity.js';
import type { EndpointEntity } from './endpoint.entity.js';
import type { MessageEntity } from './message.entity.js';

/** A claimed delivery with what it is sent to and from; the others are null when gone since it was queued. */
export interface LoadedDelivery {
  delivery: DeliveryEntity;
  message: MessageEntity | null;
  endpoint: EndpointEntity | null;
  application: ApplicationEntity | null;
  /**
   * The retry schedule of the message's event type (ms), when it has its own; undefined when not read
   * (a delivery started as its message was written reads it only if it is to be retried).
   */
  retrySchedule?: number[] | null;
}
