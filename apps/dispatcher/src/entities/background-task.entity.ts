import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type BackgroundTaskStatus = 'running' | 'finished' | 'failed';

/** Work started by a request and finished after the response (e.g. an endpoint recovery). */
@Entity('homing_background_tasks')
@Index('IDX_homing_background_tasks_app', ['appId', 'id'])
export class BackgroundTaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  appId: string | null;

  /** Svix's task names, e.g. `endpoint.recover`. */
  @Column({ type: 'varchar', length: 64 })
  task: string;

  @Column({ type: 'varchar', length: 16 })
  status: BackgroundTaskStatus;

  @Column({ type: 'json' })
  data: Record<string, any>;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
