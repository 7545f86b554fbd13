import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttemptTrigger } from './delivery.entity.js';

/** `canceled`: not an HTTP attempt but the record of a delivery called off by hand, as Svix lists it. */
export type AttemptStatus = 'success' | 'failed' | 'canceled';

/** The headers of one attempt's exchange, as they went over the wire. */
export interface AttemptHeaders {
  /** The request's headers; the values of those named in `sensitive` are masked. */
  sent: Record<string, string>;
  /** Signatures and secret endpoint headers (authorization, cookie…). */
  sensitive: string[];
  /** The response's headers, in order, names as the receiver wrote them; null when no response came. */
  response: [string, string][] | null;
}

/** One HTTP attempt, as the receiver answered it. */
@Entity('homing_attempts')
@Index('IDX_homing_attempts_msg', ['msgId', 'createdAt'])
@Index('IDX_homing_attempts_endpoint', ['endpointId', 'createdAt'])
@Index('IDX_homing_attempts_endpoint_id', ['endpointId', 'id'])
@Index('IDX_homing_attempts_app_created', ['appId', 'createdAt', 'status', 'msgId'])
export class AttemptEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  msgId: string;

  @Column({ type: 'varchar', length: 40 })
  endpointId: string;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'varchar', length: 16 })
  status: AttemptStatus;

  /** HTTP status, or 0 when no response came (connection error, timeout). */
  @Column({ type: 'int' })
  responseStatusCode: number;

  /** The first 20 kB of the response body, or the transport error. */
  @Column({ type: 'mediumtext' })
  response: string;

  @Column({ type: 'int' })
  responseDurationMs: number;

  /** Null for attempts made before headers were recorded. */
  @Column({ type: 'json', nullable: true })
  headers: AttemptHeaders | null;

  @Column({ type: 'varchar', length: 16 })
  trigger: AttemptTrigger;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
