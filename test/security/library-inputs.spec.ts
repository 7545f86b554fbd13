import { ApplicationEntity, EventTypeEntity, MessageEntity } from '@homing/webhooks';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness.js';

/** `levels` arrays nested in one another, built without recursion. */
function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < levels; level += 1) value = [value];
  return value;
}

/** What the API refuses, the library's services refuse alike: a 422 naming the field, never a RangeError or a database error. */
describe('bad inputs to the library get the same 422 as through the API', () => {
  const h = useHarness();
  const refused = (loc: string[]) => ({ status: 422, response: { detail: [expect.objectContaining({ loc })] } });

  it('producer.send: a payload nested 100,000 levels, one that contains itself, a rate or retention out of range, deliverAt in year 10000', async () => {
    const app = await h.homing.applications.create({ name: 'Library inputs' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const send = (input: object) => h.homing.producer.send(app.id, { eventType: 'order.completed', payload: {}, ...input });
    await expect(send({ payload: { deep: nested(100_000) } })).rejects.toMatchObject(refused(['body', 'payload']));
    await expect(send({ payload: cyclic })).rejects.toMatchObject(refused(['body', 'payload']));
    await expect(send({ payloadRetentionPeriod: 2 ** 31 - 1 })).rejects.toMatchObject(refused(['body', 'payloadRetentionPeriod']));
    await expect(send({ deliverAt: new Date(Date.UTC(10_000, 0, 1)) })).rejects.toMatchObject(refused(['body', 'deliverAt']));
    expect(await h.homing.dataSource.getRepository(MessageEntity).countBy({ appId: app.id })).toBe(0);
  });

  it('applications and event types: metadata or schemas nested too deep, a rate of 2^31, a featureFlag of 300 characters, null for a NOT NULL column', async () => {
    await expect(h.homing.applications.create({ name: 'Deep', metadata: { a: nested(100_000) } as never })).rejects.toMatchObject(refused(['body', 'metadata']));
    await expect(h.homing.applications.create({ name: 'Fast', rateLimit: 2 ** 31 })).rejects.toMatchObject(refused(['body', 'rateLimit']));
    await expect(h.homing.eventTypes.create({ name: 'deep', description: '', schemas: { '1': nested(100_000) } })).rejects.toMatchObject(refused(['body', 'schemas']));
    await expect(h.homing.eventTypes.create({ name: 'deep', description: '', schemas: { '1': nested(31) } })).rejects.toMatchObject(refused(['body', 'schemas']));
    await expect(h.homing.eventTypes.create({ name: 'flagged', description: '', featureFlag: 'f'.repeat(300) })).rejects.toMatchObject(refused(['body', 'featureFlag']));
    const app = await h.homing.applications.create({ name: 'Kept' });
    await expect(h.homing.applications.update(app.id, { envelope: null } as never)).rejects.toMatchObject(refused(['body', 'envelope']));
    await expect(h.homing.applications.update(app.id, { name: null } as never)).rejects.toMatchObject(refused(['body', 'name']));
    expect(await h.homing.dataSource.getRepository(ApplicationEntity).countBy({ name: 'Deep' })).toBe(0);
    expect(await h.homing.dataSource.getRepository(EventTypeEntity).count()).toBe(0);
  });
});
