import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Which aggregate a change belongs to. */
export type CountKind = 'delivery' | 'attempt';

/**
 * A change to one of the statistics counts (homing_delivery_counts, homing_attempt_counts), appended by
 * the triggers on homing_deliveries and homing_attempts in the writer's own transaction and folded into
 * the aggregates by the statistics folder. Append-only so that no writer waits on a shared counter row.
 */
@Entity('homing_count_changes')
// Reads add the changes not folded yet for the application (and endpoint) and time range they count.
@Index('IDX_homing_count_changes_app', ['appId', 'kind', 'bucket'])
export class CountChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 8 })
  kind: CountKind;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'varchar', length: 40 })
  endpointId: string;

  /** The attempt's message's event type; '' for a delivery (or an attempt whose message was gone). */
  @Column({ type: 'varchar', length: 256 })
  eventType: string;

  /** The start of the hour (a delivery, by its createdAt) or of the five minutes (an attempt) counted. */
  @Column({ type: 'datetime' })
  bucket: Date;

  /** A delivery's counted status (see DeliveryCountStatus) or an attempt's status. */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Column({ type: 'int' })
  delta: number;
}
