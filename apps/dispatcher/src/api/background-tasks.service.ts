import { Injectable, Logger, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OPERATIONAL_EVENT, type Page, type PageOptions } from '@homing/webhooks';
import { newId, OperationalEventsService, paginate } from '@homing/webhooks/internal';
import { InjectDispatcherDataSource } from '../dispatcher.database.js';
import { BackgroundTaskEntity, type BackgroundTaskStatus } from '../entities/index.js';

/**
 * Work a request starts and the response does not wait for (Svix's background tasks): recorded in
 * MariaDB as `running`, then `finished` with its result or `failed` with the reason, and the end told
 * to the operator (`background_task.finished`).
 */
@Injectable()
export class BackgroundTasksService implements OnApplicationShutdown {
  private readonly logger = new Logger('HomingBackgroundTasks');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectDispatcherDataSource() private readonly dataSource: DataSource,
    private readonly operational: OperationalEventsService,
  ) {}

  /** `appId` null: a task over every application (an aggregation), which only the operator sees. */
  async start(appId: string | null, task: string, work: () => Promise<Record<string, any>>): Promise<BackgroundTaskEntity> {
    const now = new Date();
    const record: BackgroundTaskEntity = { id: newId('backgroundTask'), appId, task, status: 'running', data: {}, createdAt: now, updatedAt: now };
    await this.tasks.insert(record);
    const done = work().then(
      (data) => this.settle(record, 'finished', data),
      (error: Error) => this.settle(record, 'failed', { error: error.message }),
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return record;
  }

  /** A task, by id; when `appId` is given, only one of that application. */
  async get(id: string, appId?: string): Promise<BackgroundTaskEntity> {
    const task = await this.tasks.findOneBy(appId ? { id, appId } : { id });
    if (!task) throw new NotFoundException(`background task "${id}" not found`);
    return task;
  }

  page(options: PageOptions & { status?: BackgroundTaskStatus; task?: string }): Promise<Page<BackgroundTaskEntity>> {
    const query = this.tasks.createQueryBuilder('task');
    if (options.status) query.andWhere('task.status = :status', { status: options.status });
    if (options.task) query.andWhere('task.task = :task', { task: options.task });
    return paginate(query, 'task.id', 'backgroundTask', options, 'descending');
  }

  /** Part of deleting the application. */
  async deleteAll(appId: string): Promise<void> {
    await this.tasks.delete({ appId });
  }

  /** Lets running tasks finish before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async settle({ id, task }: BackgroundTaskEntity, status: BackgroundTaskStatus, data: Record<string, any>): Promise<void> {
    try {
      await this.tasks.update({ id }, { status, data, updatedAt: new Date() });
    } catch (error) {
      this.logger.error(`could not record the end of task ${id}: ${(error as Error).message}`);
    }
    await this.operational.publish(OPERATIONAL_EVENT.backgroundTaskFinished, { taskId: id, task, status, data });
  }

  private get tasks() {
    return this.dataSource.getRepository(BackgroundTaskEntity);
  }
}
