import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ApiException, Svix, type ValidationError } from 'svix';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DataSource } from 'typeorm';
import { WEBHOOKS_DATA_SOURCE } from '@homing/webhooks';
import { readDispatcherConfig } from '../../apps/dispatcher/src/config/dispatcher-config.js';
import { DISPATCHER_DATA_SOURCE_NAME } from '../../apps/dispatcher/src/dispatcher.database.js';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module.js';
import { configureDispatcher, DISPATCHER_APP_OPTIONS } from '../../apps/dispatcher/src/dispatcher.setup.js';
import { checkResponsesAgainstSvix } from './contract/svix-contract.js';
import { TestReceiver, type ReceivedRequest } from './receiver.js';
import { createTestServices, REDIS_URL, type TestServices } from './services.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

export interface DispatcherTestApp {
  app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The official Svix SDK, with the operator token, pointed at this dispatcher. */
  svix: Svix;
  /** The SDK with another token. */
  as(token: string): Svix;
  dataSource: DataSource;
  /** The dispatcher's own: portal tokens, idempotency records, background tasks. */
  records: DataSource;
  close(): Promise<void>;
}

/**
 * The dispatcher's module, in process, on this test file's database and queue prefix, listening on
 * a loopback port. `env` overrides the dispatcher's environment (e.g. `HOMING_RETRY_SCHEDULE`).
 * Deliveries may go to loopback receivers.
 */
export async function startDispatcherApp(services: TestServices, env: Record<string, string> = {}): Promise<DispatcherTestApp> {
  const config = readDispatcherConfig({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL,
    HOMING_QUEUE_PREFIX: services.queuePrefix,
    HOMING_API_TOKEN: OPERATOR_TOKEN,
    HOMING_ALLOWED_CIDRS: '127.0.0.0/8',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [DispatcherModule.register({ ...config, apiToken: config.apiToken! })] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ ...DISPATCHER_APP_OPTIONS, logger: ['error', 'warn'] });
  checkResponsesAgainstSvix(app);
  configureDispatcher(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const as = (token: string) => new Svix(token, { serverUrl: url });
  return {
    app,
    url,
    svix: as(OPERATOR_TOKEN),
    as,
    dataSource: app.get<DataSource>(WEBHOOKS_DATA_SOURCE),
    records: app.get<DataSource>(getDataSourceToken(DISPATCHER_DATA_SOURCE_NAME)),
    close: () => app.close(),
  };
}

export interface DispatcherHarness {
  services: TestServices;
  dispatcher: DispatcherTestApp;
  receiver: TestReceiver;
  /** The operator's SDK client. */
  readonly svix: Svix;
}

/** For a test file: its own database and queue prefix, a dispatcher on them and a loopback receiver, all removed afterwards. */
export function useDispatcher(env: Record<string, string> = {}): DispatcherHarness {
  const harness = {
    get svix() {
      return harness.dispatcher.svix;
    },
  } as DispatcherHarness;
  beforeAll(async () => {
    harness.services = await createTestServices();
    harness.dispatcher = await startDispatcherApp(harness.services, env);
    harness.receiver = await TestReceiver.start();
  });
  afterAll(async () => {
    await harness.dispatcher?.close();
    await harness.receiver?.close();
    await harness.services?.drop();
  });
  return harness;
}

/** The SDK's error for a call that must fail. */
export async function apiError<T = { code: string; detail: string }>(call: Promise<unknown>): Promise<ApiException<T>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<T>;
    throw error;
  }
  throw new Error('expected the API call to fail');
}

/** The 422 details of a call that must fail validation. */
export async function validationErrors(call: Promise<unknown>): Promise<ValidationError[]> {
  const error = await apiError<{ detail: ValidationError[] }>(call);
  expect(error.code).toBe(422);
  return error.body.detail;
}

/** Requests the receiver got for a message, by the signature headers' id. */
export function deliveriesOf(receiver: TestReceiver, msgId: string): ReceivedRequest[] {
  return receiver.requests.filter((request) => request.headers['webhook-id'] === msgId);
}
