import { MessagesService, ValidationError } from '@homing/webhooks';
import { PayloadRetentionService } from '@homing/webhooks/internal';
import { Webhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';
import type { ReceivedRequest } from '../support/receiver.js';

describe('a host sending a payload that is not JSON', () => {
  const h = useHarness();

  async function received(path: string): Promise<ReceivedRequest> {
    await vi.waitFor(() => expect(h.receiver.on(path)).toHaveLength(1), { timeout: 10_000 });
    return h.receiver.on(path)[0];
  }

  it('delivers a string payload with its content type, byte for byte, signed, and reads it back with that type', async () => {
    const app = await h.homing.applications.create({ name: 'XML' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/xml') });
    const xml = '<?xml version="1.0"?>\n<order id="7">Zoë 🚀</order>';

    const message = await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: xml, contentType: 'application/xml' });

    expect(message).toMatchObject({ payload: xml, contentType: 'application/xml' });
    const request = await received('/xml');
    expect(request.headers['content-type']).toBe('application/xml');
    expect(request.body).toBe(xml);
    const secret = await h.homing.endpoints.getSecret(app.id, endpoint.id);
    expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();

    const messages = h.homing.app.get(MessagesService);
    expect(await messages.rawPayload(app.id, message.id)).toEqual({ payload: xml, contentType: 'application/xml' });
    const json = await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: { n: 1 } });
    expect(await messages.rawPayload(app.id, json.id)).toEqual({ payload: '{"n":1}', contentType: 'application/json' });
  });

  it.each<[string, { payload: unknown; contentType?: string }, string]>([
    ['an object under a content type that is not JSON', { payload: { n: 1 }, contentType: 'text/plain' }, 'payload'],
    ['text that is not JSON under no content type', { payload: '<order/>' }, 'payload'],
    ['text that is not JSON under a JSON content type', { payload: '<order/>', contentType: 'application/json' }, 'payload'],
    ['a content type that is not a media type', { payload: 'text', contentType: 'text' }, 'contentType'],
    ['a content type with a line break', { payload: 'text', contentType: 'text/plain\r\nx-injected: 1' }, 'contentType'],
  ])('refuses %s (a ValidationError naming the field)', async (_what, input, field) => {
    const app = await h.homing.applications.create({ name: 'Refused' });
    const error = await h.homing.producer.send(app.id, { eventType: 'order.paid', ...input }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.map((f) => f.path)).toEqual([[field]]);
  });

  it("puts text that is not JSON in an application's envelope as a JSON string, the envelope being JSON", async () => {
    const app = await h.homing.applications.create({ name: 'Enveloped', envelope: true });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/enveloped') });

    await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: 'a,b\n1,2\n', contentType: 'text/csv' });

    const request = await received('/enveloped');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toMatchObject({ type: 'order.paid', data: 'a,b\n1,2\n' });
  });

  it('empties a purged payload back to JSON: `{}` of application/json', async () => {
    const app = await h.homing.applications.create({ name: 'Purged' });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: '<order/>', contentType: 'application/xml', payloadRetentionPeriod: 1 });

    await h.homing.app.get(PayloadRetentionService).purge(new Date(Date.now() + 2 * 24 * 3600_000));

    expect(await h.homing.app.get(MessagesService).rawPayload(app.id, message.id)).toEqual({ payload: '{}', contentType: 'application/json' });
  });
});
