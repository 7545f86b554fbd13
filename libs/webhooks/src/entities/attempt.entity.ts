import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttemptTrigger } from './delivery.entity.js';

export type AttemptStatus = 'success' | 'failed';

/** One HTTP attempt, as the receiver answered it. */
@Entity('homing_attempts')
@Index('IDX_homing_attempts_msg', ['msgId', 'createdAt'])
@Index('IDX_homing_attempts_endpoint', ['endpointId', 'createdAt'])
@Index('IDX_homing_attempts_endpoint_id', ['endpointId', 'id'])
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

  @Column({ type: 'varchar', length: 16 })
  trigger: AttemptTrigger;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
