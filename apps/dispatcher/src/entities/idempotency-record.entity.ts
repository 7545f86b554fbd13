import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'started' | 'finished';

/** The first response to a POST sent with an `idempotency-key`, replayed to retries of it. */
@Entity('homing_idempotency_records')
@Index('IDX_homing_idempotency_records_expires', ['expiresAt'])
export class IdempotencyRecordEntity {
  /** SHA-256 (hex) of who asked, the key, the method and the URL. */
  @PrimaryColumn({ type: 'char', length: 64 })
  id: string;

  /** SHA-256 (hex) of the request body, to refuse the key on a different request. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: IdempotencyState;

  @Column({ type: 'int', nullable: true })
  statusCode: number | null;

  /** The JSON response body; null for an empty one. */
  @Column({ type: 'longtext', nullable: true })
  body: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;
}
