import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SignatureScheme } from '../signing/signature-scheme.js';

/** One customer of the sender: its endpoints and messages belong to it. */
@Entity('homing_applications')
export class ApplicationEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  /** The caller's own unique key for the application. */
  @Index('IDX_homing_applications_uid', { unique: true })
  @Column({ type: 'varchar', length: 256, nullable: true })
  uid: string | null;

  @Column({ type: 'varchar', length: 256 })
  name: string;

  @Column({ type: 'json', nullable: true })
  metadata: Record<string, string> | null;

  /** Deliveries per second each endpoint accepts, unless the endpoint sets its own. */
  @Column({ type: 'int', nullable: true })
  rateLimit: number | null;

  /** How deliveries to its endpoints are signed, unless an endpoint sets its own; null: Standard Webhooks. */
  @Column({ type: 'json', nullable: true })
  signatureScheme: SignatureScheme | null;

  /** Deliver payloads wrapped as `{ id, requestId, developerId, type, data, createdAt }` (Rye's envelope). */
  @Column({ type: 'boolean', default: false })
  envelope: boolean;

  /** The envelope's `developerId` and the body-HMAC account header; null: the uid, else the id. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  developerId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
