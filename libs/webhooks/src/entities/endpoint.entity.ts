import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint-column.js';
import type { PreviousSecret } from '../signing/secret-rotation.js';
import type { SignatureScheme } from '../signing/signature-scheme.js';

export type EndpointOrdering = 'fifo';

/** An endpoint's transformation (Svix's): JavaScript whose `handler(webhook)` may change each delivery before it is signed. */
export interface EndpointTransformation {
  /** Null: none set (or unset). */
  code: string | null;
  /** Deliveries run it only while enabled. */
  enabled: boolean;
  /** Strings the handler gets as its second argument. */
  variables: Record<string, string> | null;
  /** When it last changed (ISO 8601). */
  updatedAt: string;
}

@Entity('homing_endpoints')
@Index('IDX_homing_endpoints_app_uid', ['appId', 'uid'], { unique: true })
@Index('IDX_homing_endpoints_ordering', ['ordering'])
export class EndpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  uid: string | null;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text' })
  description: string;

  /** Event types this endpoint receives (a trailing `.*` matches a subtree); null receives every type. */
  @Column({ type: 'json', nullable: true })
  filterTypes: string[] | null;

  /** Channels this endpoint listens to; null receives messages of any channel. */
  @Column({ type: 'json', nullable: true })
  channels: string[] | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @Column({ type: 'varchar', length: 256, nullable: true })
  disabledReason: string | null;

  @Column({ type: 'varchar', length: 256 })
  secret: string;

  /** Secrets replaced by a rotation that keep signing, each until its grace period ends. */
  @Column({ type: 'json', nullable: true })
  previousSecrets: PreviousSecret[] | null;

  /** Extra headers sent with every delivery to this endpoint. */
  @Column({ type: 'json', nullable: true })
  headers: Record<string, string> | null;

  @Column({ type: 'json', nullable: true })
  metadata: Record<string, string> | null;

  /** Deliveries per second the endpoint accepts (across all workers); null: the application's, if any. */
  @Column({ type: 'int', nullable: true })
  rateLimit: number | null;

  /** How deliveries are signed; null: as the application says. */
  @Column({ type: 'json', nullable: true })
  signatureScheme: SignatureScheme | null;

  /** `fifo`: deliveries go one at a time, in the order their messages were accepted (see DeliveryLines); null: unordered. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  ordering: EndpointOrdering | null;

  /** The last place given in this endpoint's line. */
  @Column({ type: 'bigint', default: 0, transformer: BIGINT_AS_NUMBER })
  lineSeq: number;

  /** The place of the line's delivery now owed (being sent, retried or, held, failed); the line moves on from it. */
  @Column({ type: 'bigint', default: 0, transformer: BIGINT_AS_NUMBER })
  lineHead: number;

  /** Its transformation; null: none was ever set. */
  @Column({ type: 'json', nullable: true })
  transformation: EndpointTransformation | null;

  /** When the current run of failures began; null while the endpoint succeeds. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  failingSince: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
