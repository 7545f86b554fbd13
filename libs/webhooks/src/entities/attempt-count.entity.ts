import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttemptStatus } from './attempt.entity.js';

/** Attempts per application, five minutes of their time, endpoint, event type and status (what the statistics folder folded). */
@Entity('homing_attempt_counts')
@Index('IDX_homing_attempt_counts_endpoint', ['endpointId', 'bucket'])
export class AttemptCountEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  appId: string;

  /** The start of the five minutes (STATISTICS_PERIODS' finest) the attempts were made in. */
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
