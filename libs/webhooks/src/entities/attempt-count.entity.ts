import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttemptStatus } from './attempt.entity.js';

/** The spans attempts are counted over, in minutes: STATISTICS_PERIODS' finest, and an hour for long windows. */
export type AttemptCountSpan = 5 | 60;

/**
 * Attempts per application, five minutes (and, in other rows, hour) of their time, endpoint, event type
 * and status (what the statistics folder folded).
 */
@Entity('homing_attempt_counts')
@Index('IDX_homing_attempt_counts_endpoint', ['endpointId', 'span', 'bucket'])
export class AttemptCountEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  appId: string;

  @PrimaryColumn({ type: 'tinyint' })
  span: AttemptCountSpan;

  /** The start of the span the attempts were made in. */
  @PrimaryColumn({ type: 'datetime' })
  bucket: Date;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  endpointId: string;

  /** The event type of the attempts' messages; '' for attempts whose message was deleted before them. */
  @PrimaryColumn({ type: 'varchar', length: 256 })
  eventType: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  status: AttemptStatus;

  @Column({ type: 'bigint' })
  count: string;
}
