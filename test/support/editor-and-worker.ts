import type { AttemptEntity, EndpointEntity, WebhooksModuleOptions } from '@homing/webhooks';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { attemptsOf, deliveryOf } from './records.js';
import { TestReceiver } from './receiver.js';
import { createTestServices, type TestServices } from './services.js';
import { startWebhooksApp, type WebhooksTestApp } from './webhooks-app.js';

export interface EditorAndWorker {
  services: TestServices;
  receiver: TestReceiver;
  /** Saves endpoints with loopback allowed; does not deliver. */
  editor: WebhooksTestApp;
  /** The only app that delivers, under the options given. */
  worker: WebhooksTestApp;
  /** Saves an endpoint through the editor, sends it one message, and waits for the worker's single attempt. */
  deliverOnce(url: string): Promise<{ endpoint: EndpointEntity; attempts: AttemptEntity[] }>;
}

/**
 * For a describe block: two apps on one database and queue, so that the worker meets endpoints its own
 * policy would not have saved, as after a policy change or when a name resolved elsewhere when saved.
 * `workerOptions` is read when the worker starts, after the block's earlier `beforeAll` hooks.
 */
export function useEditorAndWorker(workerOptions: () => WebhooksModuleOptions): EditorAndWorker {
  const rig = {
    async deliverOnce(url: string) {
      const app = await rig.editor.applications.create({ name: url });
      const endpoint = await rig.editor.endpoints.create(app.id, { url });
      const message = await rig.editor.producer.send(app.id, { eventType: 'probe.sent', payload: { url } });
      await vi.waitFor(async () => expect((await deliveryOf(rig.worker.dataSource, message.id, endpoint.id))?.status).toMatch(/success|failed/), {
        timeout: 10_000,
      });
      return { endpoint, attempts: await attemptsOf(rig.worker.dataSource, message.id) };
    },
  } as EditorAndWorker;
  beforeAll(async () => {
    rig.services = await createTestServices();
    rig.receiver = await TestReceiver.start();
    rig.editor = await startWebhooksApp(rig.services, { worker: false });
    rig.worker = await startWebhooksApp(rig.services, { retrySchedule: '', ...workerOptions() });
  });
  afterAll(async () => {
    await rig.worker?.close();
    await rig.editor?.close();
    await rig.receiver?.close();
    await rig.services?.drop();
  });
  return rig;
}
