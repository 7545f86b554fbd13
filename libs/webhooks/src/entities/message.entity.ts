import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('homing_messages')
@Index('IDX_homing_messages_app_event_id', ['appId', 'eventId'], { unique: true })
@Index('IDX_homing_messages_app_created', ['appId', 'createdAt'])
@Index('IDX_homing_messages_app_id', ['appId', 'id'])
@Index('IDX_homing_messages_payload_expires_created', ['payloadExpiresAt', 'createdAt'])
export class MessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'varchar', length: 256 })
  eventType: string;

  /** The sender's idempotency key: unique per application. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  eventId: string | null;

  @Column({ type: 'json', nullable: true })
  channels: string[] | null;

  /** The body exactly as it is delivered, byte for byte: JSON text unless `contentType` says otherwise. */
  @Column({ type: 'longtext' })
  payload: string;

  /** The delivery's `content-type` as the sender gave it; null for `application/json`. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  contentType: string | null;

  /** Free-form labels to find messages by. */
  @Column({ type: 'json', nullable: true })
  tags: string[] | null;

  /** The sender's correlation id, linking related messages (the envelope's `requestId`). */
  @Column({ type: 'varchar', length: 256, nullable: true })
  requestId: string | null;

  /** When the payload is due to be purged; null once it has been. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  payloadExpiresAt: Date | null;

  /** When the payload was purged (it is then `{}`); the message and its attempts stay. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  payloadPurgedAt: Date | null;

  /** When a delayed message is first sent; null for "now". */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  deliverAt: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** The trace context of the message's creation, as the registered OpenTelemetry propagator wrote it; null without one. */
  @Column({ type: 'json', nullable: true })
  traceContext: Record<string, string> | null;
}
