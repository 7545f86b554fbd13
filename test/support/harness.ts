import type { WebhooksModuleOptions } from '@homing/webhooks';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { deliveryOf } from './records.js';
import { TestReceiver } from './receiver.js';
import { createTestServices, type TestServices } from './services.js';
import { startWebhooksApp, type WebhooksTestApp } from './webhooks-app.js';

export interface Harness {
  services: TestServices;
  homing: WebhooksTestApp;
  receiver: TestReceiver;
  /** Waits until the delivery of a message to an endpoint has the status. */
  settled(msgId: string, endpointId: string, status?: 'success' | 'failed' | 'pending'): Promise<void>;
}

/**
 * For a describe block: its own database and queue prefix, a webhooks app on them and a loopback
 * receiver, all removed after the block.
 */
export function useHarness(options: WebhooksModuleOptions = {}): Harness {
  const harness = {
    async settled(msgId: string, endpointId: string, status = 'success') {
      await vi.waitFor(async () => expect((await deliveryOf(harness.homing.dataSource, msgId, endpointId))?.status).toBe(status), {
        timeout: 10_000,
        interval: 25,
      });
    },
  } as Harness;
  beforeAll(async () => {
    harness.services = await createTestServices();
    harness.homing = await startWebhooksApp(harness.services, options);
    harness.receiver = await TestReceiver.start();
  });
  afterAll(async () => {
    await harness.homing?.close();
    await harness.receiver?.close();
    await harness.services?.drop();
  });
  return harness;
}
