import type { AttemptEntity } from '../entities/index.js';

/** Emitted (`HOMING_EVENT.attemptMade`) after each recorded attempt, for in-process observers such as metrics. */
export interface AttemptMadeEvent {
  attempt: AttemptEntity;
  /** When the message was first due: its `deliverAt`, or its creation. */
  messageDueAt: Date;
}
