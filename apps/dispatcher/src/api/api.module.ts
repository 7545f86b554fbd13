import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { HealthController } from '../health/health.controller.js';
import { API_OPTIONS, type ApiOptions } from './api.constants.js';
import { ApplicationController } from './application.controller.js';
import { AttemptController } from './attempt.controller.js';
import { ApiAuthGuard } from './auth/api-auth.guard.js';
import { AuthController } from './auth/auth.controller.js';
import { PortalTokensService } from './auth/portal-tokens.service.js';
import { BackgroundTaskController } from './background-task.controller.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { EndpointController } from './endpoint.controller.js';
import { SvixExceptionFilter } from './errors/svix-exception.filter.js';
import { EventTypeController } from './event-type.controller.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';
import { MessageController } from './message.controller.js';
import { MessageLogController } from './message-log.controller.js';
import { OperationalWebhookController } from './operational-webhook.controller.js';
import { ApplicationStatisticsController, StatisticsController } from './statistics.controller.js';
import { TransformationController } from './transformation.controller.js';
import { SvixValidationPipe } from './validation/svix-validation.pipe.js';

/**
 * The Svix v1 HTTP API under `/api/v1`, over the webhooks module's services (which must be
 * available globally). Its guard, pipe, filter and interceptor apply to every route of the app.
 */
@Module({})
export class ApiModule {
  static register(options: ApiOptions): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        ApplicationStatisticsController,
        ApplicationController,
        EndpointController,
        TransformationController,
        EventTypeController,
        MessageController,
        MessageLogController,
        AttemptController,
        AuthController,
        BackgroundTaskController,
        StatisticsController,
        OperationalWebhookController,
        HealthController,
      ],
      providers: [
        { provide: API_OPTIONS, useValue: options },
        PortalTokensService,
        IdempotencyService,
        BackgroundTasksService,
        { provide: APP_GUARD, useClass: ApiAuthGuard },
        { provide: APP_PIPE, useClass: SvixValidationPipe },
        { provide: APP_FILTER, useClass: SvixExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
