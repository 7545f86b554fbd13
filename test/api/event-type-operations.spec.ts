import { BackgroundTaskStatus, type EventTypeOut } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { apiError, deliveriesOf, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

/** A document as a provider writes one: components referenced, examples beside the schema, Svix's extensions. */
const SPEC = {
  openapi: '3.1.0',
  info: { title: 'Shop', version: '2.0.0' },
  webhooks: {
    'order.paid': {
      post: {
        summary: 'order.paid',
        description: 'An order was paid for',
        'x-svix-group-name': 'orders',
        'x-svix-feature-flags': ['beta'],
        requestBody: {
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Order' },
              examples: { small: { value: { id: 'ord_1', total: 5 } }, large: { $ref: '#/components/examples/Large' } },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
    'order.refunded': {
      post: {
        summary: 'A refund was made',
        deprecated: true,
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { order: { $ref: '#/components/schemas/Order' } } }, example: { order: { id: 'ord_2', total: 1 } } } } },
      },
    },
  },
  components: {
    schemas: { Order: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, total: { $ref: '#/components/schemas/Money' } } }, Money: { type: 'integer', minimum: 0 } },
    examples: { Large: { value: { id: 'ord_9', total: 9000 } } },
  },
};
const ORDER = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, total: { type: 'integer', minimum: 0 } } };

const YAML = `
openapi: 3.0.3
info: { title: Legacy, version: '1' }
x-webhooks:
  user.signup:
    post:
      requestBody:
        description: A user signed up
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/User'
components:
  schemas:
    User:
      type: object
      properties:
        email: { type: string }
`;

describe('event-type operations through the svix SDK and raw HTTP', () => {
  // Failed deliveries wait an hour unless their type says otherwise.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '1h' });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${h.dispatcher.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const catalogue = async () => (await h.svix.eventType.list({ withContent: true, includeArchived: true, limit: 250 })).data;
  const withoutTimes = ({ createdAt: _c, updatedAt: _u, ...type }: EventTypeOut) => type;

  describe('import-openapi', () => {
    it('previews on a dry run, then creates the types with schemas inlined, examples and extensions', async () => {
      const preview = await h.svix.eventType.importOpenapi({ spec: SPEC, dryRun: true });
      expect(preview.data.modified).toEqual([]);
      expect(preview.data.toModify?.map((type) => type.name)).toEqual(['order.paid', 'order.refunded']);
      expect(await catalogue()).toEqual([]);

      const imported = await h.svix.eventType.importOpenapi({ spec: SPEC });
      expect(imported.data).toEqual({ modified: ['order.paid', 'order.refunded'] });
      expect(await h.svix.eventType.get('order.paid')).toMatchObject({
        description: 'An order was paid for',
        schemas: { '1': { ...ORDER, examples: [{ id: 'ord_1', total: 5 }, { id: 'ord_9', total: 9000 }] } },
        groupName: 'orders',
        featureFlags: ['beta'],
        deprecated: false,
        archived: false,
      });
      expect(await h.svix.eventType.get('order.refunded')).toMatchObject({
        description: 'A refund was made',
        schemas: { '1': { type: 'object', properties: { order: ORDER }, examples: [{ order: { id: 'ord_2', total: 1 } }] } },
        groupName: null,
        featureFlags: null,
        deprecated: true,
      });

      // Again: nothing differs, nothing is written.
      const before = await catalogue();
      expect((await h.svix.eventType.importOpenapi({ spec: SPEC })).data).toEqual({ modified: [] });
      expect(await catalogue()).toEqual(before);
    });

    it('updates and unarchives the types it names; replaceAll archives the others, a dry run of it changes nothing', async () => {
      await h.svix.eventType.delete('order.paid');
      const changed = structuredClone(SPEC);
      changed.webhooks['order.refunded'].post.summary = 'Money went back';
      expect((await h.svix.eventType.importOpenapi({ spec: changed })).data.modified).toEqual(['order.paid', 'order.refunded']);
      expect(await h.svix.eventType.get('order.paid')).toMatchObject({ archived: false });
      expect(await h.svix.eventType.get('order.refunded')).toMatchObject({ description: 'Money went back' });

      const only = { openapi: '3.1.0', info: { title: 'Shop', version: '3' }, webhooks: { 'order.paid': SPEC.webhooks['order.paid'] }, components: SPEC.components };
      const before = await catalogue();
      expect((await h.svix.eventType.importOpenapi({ spec: only, replaceAll: true, dryRun: true })).data).toEqual({ modified: [], toModify: [] });
      expect(await catalogue()).toEqual(before);
      expect((await h.svix.eventType.importOpenapi({ spec: only, replaceAll: true })).data).toEqual({ modified: ['order.refunded'] });
      expect(await h.svix.eventType.get('order.refunded')).toMatchObject({ archived: true });
      expect(await h.svix.eventType.get('order.paid')).toMatchObject({ archived: false });
    });

    it('takes a document with no webhooks in its section as nothing to do', async () => {
      const before = await catalogue();
      expect((await h.svix.eventType.importOpenapi({ spec: { openapi: '3.1.0', webhooks: {} } })).data).toEqual({ modified: [] });
      expect(await catalogue()).toEqual(before);
    });

    it('reads specRaw as YAML (OpenAPI 3.0 x-webhooks), the request body describing the type', async () => {
      expect((await h.svix.eventType.importOpenapi({ specRaw: YAML })).data.modified).toEqual(['user.signup']);
      expect(await h.svix.eventType.get('user.signup')).toMatchObject({
        description: 'A user signed up',
        schemas: { '1': { type: 'object', properties: { email: { type: 'string' } } } },
      });
    });

    it('answers 400 for neither or both forms of the document, and 422 naming what is wrong in it', async () => {
      for (const body of [{}, { spec: SPEC, specRaw: YAML }]) {
        const error = await apiError(h.svix.eventType.importOpenapi(body));
        expect(error.code).toBe(400);
        expect(error.body).toMatchObject({ code: 'generic_error', detail: expect.stringContaining('spec') });
      }
      const locs = async (body: object) => (await validationErrors(h.svix.eventType.importOpenapi(body))).map((detail) => detail.loc);
      expect(await locs({ spec: { webhooks: { 'bad name': { post: {} } } } })).toEqual([['body', 'spec', 'webhooks', 'bad name']]);
      expect(await locs({ spec: { webhooks: { 'no.post': { get: {} } } } })).toEqual([['body', 'spec', 'webhooks', 'no.post']]);
      expect(await locs({ spec: { openapi: '3.1.0' } })).toEqual([['body', 'spec']]);
      const recursive = { webhooks: { 'tree.grown': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } }, components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } } };
      expect((await locs({ spec: recursive }))[0].slice(0, 4)).toEqual(['body', 'spec', 'webhooks', 'tree.grown']);
      expect(await locs({ spec: { webhooks: { 'a.b': { post: { description: 'x'.repeat(5000) } } } } })).toEqual([['body', 'spec', 'webhooks', 'a.b', 'description']]);
      expect(await locs({ specRaw: 'webhooks: [unclosed' })).toEqual([['body', 'specRaw']]);
      // Aliases can multiply a short text without end: refused.
      expect(await locs({ specRaw: 'x: &a [1]\nwebhooks: { t.a: { post: { description: *a } } }' })).toEqual([['body', 'specRaw']]);
      expect(await locs({ spec: SPEC, dryRun: 'yes' })).toEqual([['body', 'dryRun']]);
      expect((await h.svix.eventType.list({ includeArchived: true })).data.map((type) => type.name)).not.toContain('tree.grown');
    });
  });

  describe('export-openapi', () => {
    it('gives, as a background task, an OpenAPI 3.1 document of the catalogue that imports back to the same types', async () => {
      await h.svix.eventType.create({ name: 'plain.type', description: '', featureFlags: [], groupName: '' });
      const started = await api('POST', '/event-type/export/openapi');
      expect(started.status).toBe(202);
      const task = (await started.json()) as { id: string; status: string; task: string };
      expect(task).toMatchObject({ id: expect.stringMatching(/^qtask_/), task: 'sdk.generate' });
      await vi.waitFor(async () => expect((await h.svix.backgroundTask.get(task.id)).status).toBe(BackgroundTaskStatus.Finished), { timeout: 10_000 });
      const { spec } = (await h.svix.backgroundTask.get(task.id)).data as { spec: { openapi: string; info: object; webhooks: Record<string, { post: { responses: object } }> } };

      expect(spec.openapi).toBe('3.1.0');
      expect(spec.info).toEqual({ title: expect.any(String), version: expect.any(String) });
      const live = (await catalogue()).filter((type) => !type.archived);
      expect(Object.keys(spec.webhooks)).toEqual(live.map((type) => type.name));
      for (const webhook of Object.values(spec.webhooks)) expect(Object.keys(webhook.post.responses)).not.toEqual([]);

      for (const type of live) await h.svix.eventType.delete(type.name, { expunge: true });
      expect((await h.svix.eventType.importOpenapi({ spec })).data.modified).toEqual(live.map((type) => type.name));
      expect((await catalogue()).filter((type) => !type.archived).map(withoutTimes)).toEqual(live.map(withoutTimes));
    });
  });

  describe('retry schedules', () => {
    const schedule = (...ms: number[]) => ({ retrySchedule: ms.map((delay) => ({ secs: Math.floor(delay / 1000), nanos: (delay % 1000) * 1_000_000 })) });

    it('reads and sets a type’s own schedule; null goes back to the dispatcher’s', async () => {
      await h.svix.eventType.create({ name: 'schedule.kept', description: 'x' });
      const read = async () => (await api('GET', '/event-type/schedule.kept/retry-schedule')).json();
      expect(await read()).toEqual({ retrySchedule: null });
      const set = await api('PUT', '/event-type/schedule.kept/retry-schedule', schedule(200, 1500, 3_600_000));
      expect(set.status).toBe(200);
      expect(await set.json()).toEqual(schedule(200, 1500, 3_600_000));
      expect(await read()).toEqual(schedule(200, 1500, 3_600_000));
      expect(await (await api('PUT', '/event-type/schedule.kept/retry-schedule', { retrySchedule: null })).json()).toEqual({ retrySchedule: null });
      expect(await read()).toEqual({ retrySchedule: null });
    });

    it('answers 404 for an unknown type and 422 naming the field for a schedule out of bounds', async () => {
      expect((await api('GET', '/event-type/no.such.type/retry-schedule')).status).toBe(404);
      expect((await api('PUT', '/event-type/no.such.type/retry-schedule', schedule(100))).status).toBe(404);
      await h.svix.eventType.create({ name: 'schedule.bounded', description: 'x' });
      for (const body of [
        schedule(...Array<number>(51).fill(100)),
        { retrySchedule: [{ secs: 7 * 86_400 + 1, nanos: 0 }] },
        { retrySchedule: [{ secs: 1, nanos: 1_000_000_000 }] },
        { retrySchedule: [{ secs: -1, nanos: 0 }] },
        { retrySchedule: ['5s'] },
        { retrySchedule: 5 },
      ]) {
        const answer = await api('PUT', '/event-type/schedule.bounded/retry-schedule', body);
        expect(answer.status, JSON.stringify(body)).toBe(422);
        expect(((await answer.json()) as { detail: { loc: string[] }[] }).detail.map((detail) => detail.loc)).toEqual([['body', 'retrySchedule']]);
      }
    });

    it('retries a failing delivery on its type’s schedule, while other types keep the dispatcher’s', async () => {
      h.receiver.status(500, 'down');
      const app = await h.svix.application.create({ name: 'Schedules' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/schedules') });
      await h.svix.eventType.create({ name: 'quick.retry', description: 'Retried fast' });
      await h.svix.eventType.create({ name: 'usual.retry', description: 'Retried as usual' });
      expect((await api('PUT', '/event-type/quick.retry/retry-schedule', schedule(200, 400))).status).toBe(200);

      const quick = await h.svix.message.create(app.id, { eventType: 'quick.retry', payload: { n: 1 } });
      const usual = await h.svix.message.create(app.id, { eventType: 'usual.retry', payload: { n: 2 } });
      await vi.waitFor(() => expect(deliveriesOf(h.receiver, quick.id)).toHaveLength(3), { timeout: 20_000, interval: 20 });
      const times = deliveriesOf(h.receiver, quick.id).map((request) => request.receivedAt);
      // Each retry waited its own delay (less 10 % jitter), not the dispatcher's hour.
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(180);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(360);

      const status = async (msgId: string) => (await h.svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id)).data.find((message) => message.id === msgId);
      // The schedule used up: the delivery failed, with no attempt to come.
      await vi.waitFor(async () => expect(await status(quick.id)).toMatchObject({ statusText: 'fail', nextAttempt: null }), { timeout: 10_000 });
      expect(deliveriesOf(h.receiver, usual.id)).toHaveLength(1);
      await vi.waitFor(async () => expect((await status(usual.id))?.nextAttempt?.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000), { timeout: 10_000 });
    });
  });
});
