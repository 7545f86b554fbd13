import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { BackgroundTaskEntity, BackgroundTaskStatus } from '../../entities/index.js';
import { ListResponse, OrderedListQuery } from './common.dto.js';

const STATUSES: BackgroundTaskStatus[] = ['running', 'finished', 'failed'];
/** The task kinds this dispatcher runs (Svix has more). */
export const TASKS = { endpointRecover: 'endpoint.recover', applicationStats: 'application.stats', eventTypeAggregate: 'event-type.aggregate', sdkGenerate: 'sdk.generate', applicationPurgeContent: 'application.purge_content', endpointReplay: 'endpoint.replay', endpointBulkReplay: 'endpoint.bulk-replay' } as const;

export class BackgroundTaskOut {
  @ApiProperty({ example: 'qtask_01JD3B9R8Q2W6N3V5X7Y9Z1A2B' })
  id: string;

  @ApiProperty({ enum: STATUSES })
  status: BackgroundTaskStatus;

  @ApiProperty({ enum: Object.values(TASKS) })
  task: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { messagesSent: 2 } })
  data: Record<string, unknown>;

  @ApiProperty()
  updatedAt: Date;

  static from(task: BackgroundTaskEntity): BackgroundTaskOut {
    return { id: task.id, status: task.status, task: task.task, data: task.data, updatedAt: task.updatedAt };
  }
}

export class ListResponseBackgroundTaskOut extends ListResponse(BackgroundTaskOut) {}

export class BackgroundTaskListQuery extends OrderedListQuery {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: BackgroundTaskStatus;

  @ApiPropertyOptional({ enum: Object.values(TASKS) })
  @IsOptional()
  @IsIn(Object.values(TASKS))
  task?: string;
}
