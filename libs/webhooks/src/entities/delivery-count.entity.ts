import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A delivery's status as counted: a delivery being sent counts as the kind of owed delivery it was
 * claimed from (so a claim changes no count), and an owed one is `retrying` once a scheduled attempt
 * of it was made (attempts > 0, trigger `scheduled`), `pending` otherwise.
 */
export type DeliveryCountStatus = 'pending' | 'retrying' | 'success' | 'failed' | 'canceled';

/** Deliveries per endpoint, hour of their creation and counted status (what the statistics folder folded). */
@Entity('homing_delivery_counts')
@Index('IDX_homing_delivery_counts_app', ['appId', 'hour'])
// The owed deliveries over every endpoint: rows of a count that fell to 0 are deleted, so this range stays small.
@Index('IDX_homing_delivery_counts_status', ['status'])
export class DeliveryCountEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  endpointId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  status: DeliveryCountStatus;

  /** The hour the deliveries were created in. */
  @PrimaryColumn({ type: 'datetime' })
  hour: Date;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'bigint' })
  count: string;
}
