import { ApplicationEntity, EventTypeEntity, MessageEntity, ValidationError } from '@homing/webhooks';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness.js';

/** `levels` arrays nested in one another, built without recursion. */
function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < levels; level += 1) value = [value];
  return value;
}

/** What the API refuses, the library's services refuse alike: a ValidationError naming the field (the API's 422), never a RangeError or a database error. */
describe('bad inputs to the library get the same ValidationError the API answers with a 422', () => {
  const h = useHarness();
  /** The paths of the fields a call was refused for: it must fail with a ValidationError. */
  const refused = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => expect.fail('accepted'),
      (error: unknown) => error,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields.map((field) => field.path);
  };

  it('producer.send: a payload nested 100,000 levels, one that contains itself, a rate or retention out of range, deliverAt in year 10000', async () => {
    const app = await h.homing.applications.create({ name: 'Library inputs' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const send = (input: object) => h.homing.producer.send(app.id, { eventType: 'order.completed', payload: {}, ...input });
    expect(await refused(send({ payload: { deep: nested(100_000) } }))).toEqual([['payload']]);
    expect(await refused(send({ payload: cyclic }))).toEqual([['payload']]);
    expect(await refused(send({ payloadRetentionPeriod: 2 ** 31 - 1 }))).toEqual([['payloadRetentionPeriod']]);
    expect(await refused(send({ deliverAt: new Date(Date.UTC(10_000, 0, 1)) }))).toEqual([['deliverAt']]);
    expect(await h.homing.dataSource.getRepository(MessageEntity).countBy({ appId: app.id })).toBe(0);
  });

  it('applications and event types: metadata or schemas nested too deep, a rate of 2^31, a featureFlag of 300 characters, null for a NOT NULL column', async () => {
    expect(await refused(h.homing.applications.create({ name: 'Deep', metadata: { a: nested(100_000) } as never }))).toEqual([['metadata']]);
    expect(await refused(h.homing.applications.create({ name: 'Fast', rateLimit: 2 ** 31 }))).toEqual([['rateLimit']]);
    expect(await refused(h.homing.eventTypes.create({ name: 'deep', description: '', schemas: { '1': nested(100_000) } }))).toEqual([['schemas']]);
    expect(await refused(h.homing.eventTypes.create({ name: 'deep', description: '', schemas: { '1': nested(31) } }))).toEqual([['schemas']]);
    expect(await refused(h.homing.eventTypes.create({ name: 'flagged', description: '', featureFlag: 'f'.repeat(300) }))).toEqual([['featureFlag']]);
    const app = await h.homing.applications.create({ name: 'Kept' });
    expect(await refused(h.homing.applications.update(app.id, { envelope: null } as never))).toEqual([['envelope']]);
    expect(await refused(h.homing.applications.update(app.id, { name: null } as never))).toEqual([['name']]);
    expect(await h.homing.dataSource.getRepository(ApplicationEntity).countBy({ name: 'Deep' })).toBe(0);
    expect(await h.homing.dataSource.getRepository(EventTypeEntity).count()).toBe(0);
  });
});
