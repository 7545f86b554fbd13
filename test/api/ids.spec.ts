import type { ApplicationOut, EndpointOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ApplicationEntity, EndpointEntity, MessageEntity } from '@homing/webhooks';
import { useDispatcher, validationErrors } from '../support/dispatcher-app.js';

/** Svix's id pattern for a prefix (its document's `iterator` query parameters and ids). */
const svixId = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9]{27}$`);
const svixPrev = (prefix: string) => new RegExp(`^-${prefix}_[A-Za-z0-9]{27}$`);

/** Rows minted before ids took Svix's shape: ULIDs. */
const OLD_APP = 'app_01JD3B9R8Q2W6N3V5X7Y9Z1A2B';
const OLD_ENDPOINT = 'ep_01JD3B9R8Q2W6N3V5X7Y9Z1A2C';
const OLD_MESSAGE = 'msg_01JD3B9R8Q2W6N3V5X7Y9Z1A2D';

interface Listing {
  data: { id: string }[];
  iterator?: string | null;
  prevIterator?: string | null;
  done: boolean;
}

describe("ids and iterators in Svix's shapes", () => {
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });

  /** Every page of a listing, one item per page, checking each page's iterators against the prefix. */
  async function pageThrough(list: (iterator?: string) => Promise<Listing>, prefix: string): Promise<Listing[]> {
    const pages: Listing[] = [];
    let iterator: string | undefined;
    for (;;) {
      const page = await list(iterator);
      pages.push(page);
      if (page.data.length) {
        expect(page.iterator).toMatch(svixId(prefix));
        expect(page.prevIterator).toMatch(svixPrev(prefix));
      }
      if (page.done) return pages;
      iterator = page.iterator!;
    }
  }

  describe('for rows made through the API', () => {
    let app: ApplicationOut;
    let endpoint: EndpointOut;
    let msgIds: string[];

    beforeAll(async () => {
      app = await h.svix.application.create({ name: 'Shapes' });
      await h.svix.application.create({ name: 'Shapes too' });
      endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/shapes') });
      await h.svix.endpoint.create(app.id, { url: h.receiver.url('/shapes-too') });
      msgIds = [];
      for (let i = 0; i < 2; i++) msgIds.push((await h.svix.message.create(app.id, { eventType: 'shape.made', payload: { i } })).id);
      await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByEndpoint(app.id, endpoint.id)).data).toHaveLength(2), { timeout: 15_000, interval: 50 });
    });

    it('creates applications, endpoints, messages, attempts and tasks with ids of their kind', async () => {
      expect(app.id).toMatch(svixId('app'));
      expect(endpoint.id).toMatch(svixId('ep'));
      for (const id of msgIds) expect(id).toMatch(svixId('msg'));
      for (const attempt of (await h.svix.messageAttempt.listByMsg(app.id, msgIds[0])).data) expect(attempt.id).toMatch(svixId('atmpt'));
      const task = await h.svix.endpoint.recover(app.id, endpoint.id, { since: new Date(Date.now() - 60_000) });
      expect(task.id).toMatch(svixId('qtask'));
    });

    it('gives every listing iterators shaped like its ids, and takes them back', async () => {
      for (let i = 0; i < 2; i++) await h.svix.endpoint.recover(app.id, endpoint.id, { since: new Date(Date.now() - 60_000) });
      const listings: [string, (iterator?: string) => Promise<Listing>][] = [
        ['app', (iterator) => h.svix.application.list({ limit: 1, iterator })],
        ['ep', (iterator) => h.svix.endpoint.list(app.id, { limit: 1, iterator })],
        ['msg', (iterator) => h.svix.message.list(app.id, { limit: 1, iterator })],
        ['atmpt', (iterator) => h.svix.messageAttempt.listByEndpoint(app.id, endpoint.id, { limit: 1, iterator })],
        ['atmpt', (iterator) => h.svix.messageAttempt.listByMsg(app.id, msgIds[0], { limit: 1, iterator })],
        ['msg', (iterator) => h.svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id, { limit: 1, iterator })],
        ['ep', (iterator) => h.svix.messageAttempt.listAttemptedDestinations(app.id, msgIds[0], { limit: 1, iterator })],
        ['qtask', (iterator) => h.svix.backgroundTask.list({ limit: 1, iterator })],
      ];
      for (const [prefix, list] of listings) {
        const pages = await pageThrough(list, prefix);
        expect(pages.length, prefix).toBeGreaterThanOrEqual(2);
        const back = await list(pages[1].prevIterator!);
        expect(back.data, prefix).toEqual(pages[0].data);
      }
    });

    it("gives event-type names as iterators, so Svix's pattern holds", async () => {
      const mine = ['-dash.first', '.dot.first', 'ids.alpha', 'ids.beta'];
      for (const name of mine) await h.svix.eventType.create({ name, description: name });
      const names: string[] = [];
      let iterator: string | undefined;
      for (;;) {
        const page = await h.svix.eventType.list({ limit: 1, iterator });
        names.push(...page.data.map((type) => type.name));
        expect(page.iterator).toMatch(/^[a-zA-Z0-9\-_.]{1,256}$/);
        expect(page.prevIterator).toBe(`-${page.iterator}`);
        if (page.done) break;
        iterator = page.iterator!;
      }
      expect(names).toEqual([...names].sort());
      expect(names.filter((name) => mine.includes(name))).toEqual(mine);
      expect((await h.svix.eventType.list({ limit: 1, iterator: 'ids.alpha' })).data.map((type) => type.name)).toEqual(['ids.beta']);
      expect((await h.svix.eventType.list({ limit: 1, iterator: '-ids.alpha' })).data.map((type) => type.name)).toEqual(['.dot.first']);
    });

    it('refuses an iterator of another kind, or past what 27 characters of ids hold, naming the field', async () => {
      expect(await validationErrors(h.svix.application.list({ iterator: msgIds[0] }))).toEqual([expect.objectContaining({ loc: ['query', 'iterator'] })]);
      expect(await validationErrors(h.svix.message.list(app.id, { iterator: `msg_${'z'.repeat(27)}` }))).toEqual([expect.objectContaining({ loc: ['query', 'iterator'] })]);
    });
  });

  describe('for rows minted as ULIDs before', () => {
    let newEndpoint: EndpointOut;
    let newMsgIds: string[];

    // These rows keep their ULID ids in answers: the contract takes them as a deliberate difference (README lists it).
    beforeAll(async () => {
      const now = new Date();
      await h.dispatcher.dataSource.getRepository(ApplicationEntity).insert({ id: OLD_APP, uid: 'minted-before', name: 'Before', createdAt: now, updatedAt: now });
      const created = await h.svix.endpoint.create(OLD_APP, { url: h.receiver.url('/before') });
      await h.dispatcher.dataSource.getRepository(EndpointEntity).update({ id: created.id }, { id: OLD_ENDPOINT });
      await h.dispatcher.dataSource
        .getRepository(MessageEntity)
        .insert({ id: OLD_MESSAGE, appId: OLD_APP, eventType: 'shape.old', payload: '{}', createdAt: new Date('2024-11-20T00:00:00Z') });
      newEndpoint = await h.svix.endpoint.create(OLD_APP, { url: h.receiver.url('/after') });
      newMsgIds = [];
      for (let i = 0; i < 2; i++) newMsgIds.push((await h.svix.message.create(OLD_APP, { eventType: 'shape.new', payload: { i } })).id);
      await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByMsg(OLD_APP, newMsgIds[1])).data).toHaveLength(2), { timeout: 15_000, interval: 50 });
    });

    it('reaches them by path, and delivers to an endpoint with such an id', async () => {
      expect(await h.svix.application.get(OLD_APP)).toMatchObject({ id: OLD_APP, name: 'Before' });
      expect(await h.svix.application.get('minted-before')).toMatchObject({ id: OLD_APP });
      expect(await h.svix.endpoint.get(OLD_APP, OLD_ENDPOINT)).toMatchObject({ id: OLD_ENDPOINT });
      expect(await h.svix.message.get(OLD_APP, OLD_MESSAGE)).toMatchObject({ id: OLD_MESSAGE, eventType: 'shape.old' });
      const attempts = (await h.svix.messageAttempt.listByEndpoint(OLD_APP, OLD_ENDPOINT)).data;
      expect(attempts.map((attempt) => attempt.msgId).sort()).toEqual([...newMsgIds].sort());
    });

    it("pages through them in order with newer rows, with iterators in Svix's shape", async () => {
      const ids = (pages: Listing[]) => pages.flatMap((page) => page.data.map((item) => item.id));

      const apps = await pageThrough((iterator) => h.svix.application.list({ limit: 1, iterator }), 'app');
      expect(ids(apps)[0]).toBe(OLD_APP);
      expect(ids(apps)).toEqual([...ids(apps)].sort());
      expect(ids(await pageThrough((iterator) => h.svix.endpoint.list(OLD_APP, { limit: 1, iterator }), 'ep'))).toEqual([OLD_ENDPOINT, newEndpoint.id]);
      const messages = await pageThrough((iterator) => h.svix.message.list(OLD_APP, { limit: 1, iterator }), 'msg');
      expect(ids(messages)).toEqual([newMsgIds[1], newMsgIds[0], OLD_MESSAGE]);
      const lastPage = messages.findIndex((page) => page.data[0]?.id === OLD_MESSAGE);
      expect((await h.svix.message.list(OLD_APP, { limit: 1, iterator: messages[lastPage].prevIterator! })).data.map((msg) => msg.id)).toEqual([newMsgIds[0]]);
      const destinations = await pageThrough((iterator) => h.svix.messageAttempt.listAttemptedDestinations(OLD_APP, newMsgIds[0], { limit: 1, iterator }), 'ep');
      expect(ids(destinations)).toEqual([OLD_ENDPOINT, newEndpoint.id]);
    });

    it('still takes an iterator in the form this API gave before', async () => {
      const before = Buffer.from(`+${OLD_ENDPOINT}`).toString('base64url');
      expect((await h.svix.endpoint.list(OLD_APP, { iterator: before })).data.map((item) => item.id)).toEqual([newEndpoint.id]);
    });
  });
});
