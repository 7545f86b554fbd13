import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint-column.js';

/** `canceled`: called off by hand (cancel-msgs) before it was sent; never attempted again unless replayed. */
export type DeliveryStatus = 'pending' | 'sending' | 'success' | 'failed' | 'canceled';
export type AttemptTrigger = 'scheduled' | 'manual';

/**
 * What is owed to whom: one row per message and endpoint. The database, not the queue, is the
 * record; a queue job only says "look at this row now".
 */
@Entity('homing_deliveries')
@Index('IDX_homing_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_homing_deliveries_endpoint_status', ['endpointId', 'status', 'updatedAt'])
@Index('IDX_homing_deliveries_endpoint_msg', ['endpointId', 'msgId'])
@Index('IDX_homing_deliveries_endpoint_next', ['endpointId', 'status', 'nextAttemptAt'])
@Index('IDX_homing_deliveries_endpoint_seq', ['endpointId', 'seq'])
export class DeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  msgId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  endpointId: string;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  /** Attempts made so far, over every trigger. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Attempts made in the current run of the retry schedule. */
  @Column({ type: 'int', default: 0 })
  scheduleStep: number;

  /** `manual` (resend, recover): one attempt and no automatic retries. */
  @Column({ type: 'varchar', length: 16 })
  trigger: AttemptTrigger;

  /** When the next attempt is due, while pending. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  nextAttemptAt: Date | null;

  /** While sending: when a worker that claimed the row is presumed dead. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  leaseUntil: Date | null;

  /** While postponed by the endpoint's throttle: the send slot it holds (on Redis' clock). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  throttleSlotAt: Date | null;

  /** Its place in its endpoint's line, when the endpoint is ordered (see DeliveryLines); null: unordered. */
  @Column({ type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  seq: number | null;

  /** The claim that took the row last: lets a worker read back exactly the rows its one UPDATE took. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  claimId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
