import { Ordering } from 'svix';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskEntity, PortalTokenEntity } from '../../apps/dispatcher/src/entities/index.js';
import { apiError, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

describe('applications through the svix SDK', () => {
  const h = useDispatcher();

  it('creates an application with a uid and reads it back by id and by uid', async () => {
    const created = await h.svix.application.create({ name: 'Acme', uid: 'acme', metadata: { plan: 'pro' }, throttleRate: 20 });
    expect(created).toMatchObject({ name: 'Acme', uid: 'acme', metadata: { plan: 'pro' }, throttleRate: 20 });
    expect(created.id).toMatch(/^app_[A-Za-z0-9]{27}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await h.svix.application.get(created.id)).toEqual(created);
    expect(await h.svix.application.get('acme')).toEqual(created);
  });

  it('answers 409 for a second application with the same uid, and getOrCreate returns the existing one', async () => {
    const first = await h.svix.application.create({ name: 'Dup', uid: 'dup-app' });
    const conflict = await apiError(h.svix.application.create({ name: 'Dup again', uid: 'dup-app' }));
    expect(conflict.code).toBe(409);
    expect(conflict.body).toEqual({ code: 'conflict', detail: expect.stringContaining('dup-app') });

    expect(await h.svix.application.getOrCreate({ name: 'Dup again', uid: 'dup-app' })).toEqual(first);
    const fresh = await h.svix.application.getOrCreate({ name: 'Fresh', uid: 'fresh-app' });
    expect(fresh).toMatchObject({ name: 'Fresh', uid: 'fresh-app' });
    expect(fresh.id).not.toBe(first.id);
  });

  it('pages through applications with opaque iterators, forwards and back, in either order', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await h.svix.application.create({ name: `Paged ${i}`, uid: `paged-${i}` })).id);
    const all: string[] = [];
    let page = await h.svix.application.list({ limit: 2 });
    const pages = [page];
    for (;;) {
      expect(page.data.length).toBeLessThanOrEqual(2);
      all.push(...page.data.map((app) => app.id));
      if (page.done) break;
      page = await h.svix.application.list({ limit: 2, iterator: page.iterator });
      pages.push(page);
    }
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(mine));
    expect(pages.length).toBeGreaterThan(2);

    const back = await h.svix.application.list({ limit: 2, iterator: pages[2].prevIterator });
    expect(back.data.map((app) => app.id)).toEqual(pages[1].data.map((app) => app.id));
    expect(back.done).toBe(false);

    const descending = await h.svix.application.list({ limit: 250, order: Ordering.Descending });
    expect(descending.data.map((app) => app.id)).toEqual([...all].reverse());
    expect(descending).toMatchObject({ done: true });
  });

  it('refuses a limit above 250 and an iterator it did not issue, naming the query field', async () => {
    expect(await validationErrors(h.svix.application.list({ limit: 251 }))).toEqual([expect.objectContaining({ loc: ['query', 'limit'] })]);
    expect(await validationErrors(h.svix.application.list({ iterator: 'not-an-iterator' }))).toEqual([expect.objectContaining({ loc: ['query', 'iterator'] })]);
  });

  it('lists only applications with (enabled) endpoints when asked', async () => {
    const none = await h.svix.application.create({ name: 'No endpoints' });
    const off = await h.svix.application.create({ name: 'Disabled endpoints' });
    await h.svix.endpoint.create(off.id, { url: 'https://example.com/hook', disabled: true });
    const on = await h.svix.application.create({ name: 'Enabled endpoint' });
    await h.svix.endpoint.create(on.id, { url: 'https://example.com/hook' });

    const withEndpoints = (await h.svix.application.list({ limit: 250, excludeAppsWithNoEndpoints: true })).data.map((app) => app.id);
    expect(withEndpoints).toEqual(expect.arrayContaining([off.id, on.id]));
    expect(withEndpoints).not.toContain(none.id);
    const notAllDisabled = (await h.svix.application.list({ limit: 250, excludeAppsWithDisabledEndpoints: true })).data.map((app) => app.id);
    expect(notAllDisabled).toEqual(expect.arrayContaining([none.id, on.id]));
    expect(notAllDisabled).not.toContain(off.id);
  });

  it('replaces with upsert (creating under the path uid when missing), patches and deletes', async () => {
    const app = await h.svix.application.create({ name: 'Before', uid: 'changing', metadata: { a: '1' }, throttleRate: 5 });
    const replaced = await h.svix.application.upsert('changing', { name: 'After' });
    expect(replaced).toMatchObject({ id: app.id, uid: 'changing', name: 'After', metadata: {}, throttleRate: null });
    expect(replaced.updatedAt.getTime()).toBeGreaterThanOrEqual(app.updatedAt.getTime());

    const upserted = await h.svix.application.upsert('made-by-put', { name: 'Put' });
    expect(upserted).toMatchObject({ uid: 'made-by-put', name: 'Put' });
    expect(await h.svix.application.get('made-by-put')).toEqual(upserted);

    const patched = await h.svix.application.patch(app.id, { metadata: { tier: 'gold' } });
    expect(patched).toMatchObject({ name: 'After', uid: 'changing', metadata: { tier: 'gold' } });
    expect(await h.svix.application.patch(app.id, { uid: null })).toMatchObject({ uid: null, name: 'After' });
    const nullName = await validationErrors(h.svix.application.patch(app.id, { name: null as unknown as string }));
    expect(new Set(nullName.map((detail) => detail.loc.join('.')))).toEqual(new Set(['body.name']));

    await h.svix.application.delete(app.id);
    const gone = await apiError(h.svix.application.get(app.id));
    expect(gone.code).toBe(404);
    expect(gone.body.code).toBe('not_found');
  });

  it("deletes the application's portal tokens and background tasks with it, and no other's", async () => {
    const leaving = await h.svix.application.create({ name: 'Leaving' });
    const endpoint = await h.svix.endpoint.create(leaving.id, { url: h.receiver.url('/leaving') });
    const { token } = await h.svix.authentication.appPortalAccess(leaving.id, {});
    await h.svix.endpoint.recover(leaving.id, endpoint.id, { since: new Date(Date.now() - 3600_000) });
    const staying = await h.svix.application.create({ name: 'Staying' });
    await h.svix.authentication.appPortalAccess(staying.id, {});
    const rows = (appId: string) => Promise.all([PortalTokenEntity, BackgroundTaskEntity].map((entity) => h.dispatcher.records.getRepository(entity).countBy({ appId })));
    expect(await rows(leaving.id)).toEqual([1, 1]);

    await h.svix.application.delete(leaving.id);
    expect(await rows(leaving.id)).toEqual([0, 0]);
    expect(await rows(staying.id)).toEqual([1, 0]);
    expect((await apiError(h.dispatcher.as(token).application.get(leaving.id))).code).toBe(401);
  });

  it('answers 422 with the fields at fault', async () => {
    const details = await validationErrors(h.svix.application.create({ name: '', uid: 'has spaces', throttleRate: 0 }));
    expect(details.map((detail) => detail.loc)).toEqual(expect.arrayContaining([['body', 'name'], ['body', 'uid'], ['body', 'throttleRate']]));
    for (const detail of details) expect(detail).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
  });

  describe('idempotency-key', () => {
    const count = async () => (await h.svix.application.list({ limit: 250 })).data.length;

    it('replays the first response to a retried POST and creates nothing more', async () => {
      const before = await count();
      const first = await h.svix.application.create({ name: 'Once' }, { idempotencyKey: 'create-once' });
      const retried = await h.svix.application.create({ name: 'Once' }, { idempotencyKey: 'create-once' });
      expect(retried).toEqual(first);
      expect(await count()).toBe(before + 1);
      const other = await h.svix.application.create({ name: 'Once' }, { idempotencyKey: 'create-twice' });
      expect(other.id).not.toBe(first.id);
    });

    it('gives concurrent requests with one key a single application', async () => {
      const before = await count();
      const results = await Promise.all([1, 2, 3].map(() => h.svix.application.create({ name: 'Racing' }, { idempotencyKey: 'race' })));
      expect(new Set(results.map((app) => app.id)).size).toBe(1);
      expect(await count()).toBe(before + 1);
    });

    it('refuses the key on a different request', async () => {
      await h.svix.application.create({ name: 'Original' }, { idempotencyKey: 'reused' });
      expect(await validationErrors(h.svix.application.create({ name: 'Different' }, { idempotencyKey: 'reused' }))).toEqual([
        expect.objectContaining({ loc: ['header', 'idempotency-key'] }),
      ]);
    });

    it('runs a retry again when the first attempt failed', async () => {
      const conflict = await apiError(h.svix.application.create({ name: 'Taken', uid: 'acme' }, { idempotencyKey: 'after-error' }));
      expect(conflict.code).toBe(409);
      await h.svix.application.delete('acme');
      expect(await h.svix.application.create({ name: 'Taken', uid: 'acme' }, { idempotencyKey: 'after-error' })).toMatchObject({ uid: 'acme' });
    });
  });
});
