import { afterEach, describe, expect, it, vi } from 'vitest';
import { ID_PREFIX } from '../webhooks.constants.js';
import { idOfSvixForm, newId, svixFormOf, type IdKind } from './entity-id.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The bytes an id's 27 base62 characters hold, read independently of the code under test. */
function bytesOf(id: string): Buffer {
  let value = 0n;
  for (const char of id.slice(id.indexOf('_') + 1)) value = value * 62n + BigInt(BASE62.indexOf(char));
  return Buffer.from(value.toString(16).padStart(40, '0'), 'hex');
}

/** A ULID as the `ulid` package made them: 10 characters of milliseconds, then 16 of randomness. */
function ulid(millis: number, random: string): string {
  let time = '';
  for (let rest = millis, i = 0; i < 10; i++, rest = Math.floor(rest / 32)) time = CROCKFORD[rest % 32] + time;
  return time + random;
}

/** A newId that has made no id yet (each keeps the last id it made, to count up from it). */
async function freshNewId(): Promise<typeof newId> {
  vi.resetModules();
  return (await import('./entity-id.js')).newId;
}

/** Binary collation: byte for byte. */
const binaryOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('newId', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("has Svix's shape for every kind: the prefix, '_' and 27 base62 characters", () => {
    for (const kind of Object.keys(ID_PREFIX) as IdKind[]) {
      expect(newId(kind)).toMatch(new RegExp(`^${ID_PREFIX[kind]}_[A-Za-z0-9]{27}$`));
    }
  });

  it('holds the seconds since the KSUID epoch and the millisecond, then randomness', async () => {
    const newId = await freshNewId();
    vi.useFakeTimers({ now: new Date('2026-11-30T01:02:03.456Z'), toFake: ['Date'] });
    const bytes = bytesOf(newId('message'));
    expect(bytes.readUInt32BE(0)).toBe(Date.UTC(2026, 10, 30, 1, 2, 3) / 1000 - 1_400_000_000);
    expect(bytes.readUInt16BE(4)).toBe(456);
    expect(bytes.subarray(6).equals(bytesOf(newId('message')).subarray(6))).toBe(false);
  });

  it('encodes as KSUIDs do (fixed width, zero-padded)', () => {
    // Segment's example KSUID 0ujtsYcgvSTl8PAuAdqWYSMnLOv holds 0669F7EFB5A1CD34B5F99D1154FB6853345C9735.
    const known = Buffer.from('0669F7EFB5A1CD34B5F99D1154FB6853345C9735', 'hex');
    expect(bytesOf('msg_0ujtsYcgvSTl8PAuAdqWYSMnLOv').equals(known)).toBe(true);
    expect(bytesOf(newId('message')).length).toBe(20);
  });

  it('sorts in creation order, also within one millisecond and when the clock steps back', async () => {
    const newId = await freshNewId();
    vi.useFakeTimers({ now: new Date('2026-11-30T01:02:03.456Z'), toFake: ['Date'] });
    const ids = Array.from({ length: 2000 }, () => newId('attempt'));
    vi.setSystemTime(new Date('2026-11-30T01:02:03.000Z'));
    ids.push(newId('attempt'), newId('attempt'));
    vi.setSystemTime(new Date('2026-11-30T01:02:04.000Z'));
    ids.push(newId('attempt'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort(binaryOrder)).toEqual(ids);
    expect(bytesOf(ids[ids.length - 1]).readUInt32BE(0)).toBe(Date.UTC(2026, 10, 30, 1, 2, 4) / 1000 - 1_400_000_000);
  });

  it('sorts after every ULID id minted before it, under binary collation', async () => {
    // ULIDs start with '0' until the year 3084; ids made since February 2018 start with '1' or higher.
    const newest = `app_${ulid(Date.now(), 'Z'.repeat(16))}`;
    const highestWithZero = `app_0${'Z'.repeat(25)}`;
    const id = (await freshNewId())('application');
    expect(newest.startsWith('app_0')).toBe(true);
    expect(binaryOrder(newest, id)).toBeLessThan(0);
    expect(binaryOrder(highestWithZero, id)).toBeLessThan(0);
    vi.useFakeTimers({ now: new Date('2018-02-03T00:00:00Z'), toFake: ['Date'] });
    expect((await freshNewId())('application')).toMatch(/^app_1/);
  });
});

describe("ids in Svix's shape", () => {
  it('are current ids themselves', () => {
    const id = newId('endpoint');
    expect(svixFormOf(id, 'endpoint')).toBe(id);
    expect(idOfSvixForm(id, 'endpoint')).toBe(id);
  });

  it('carry a ULID id as its number, below every current id and in the ULIDs own order, and back', () => {
    const older = `msg_${ulid(Date.UTC(2025, 0, 1), '0'.repeat(16))}`;
    const newer = `msg_${ulid(Date.now(), 'Z'.repeat(16))}`;
    const current = newId('message');
    const forms = [older, newer, current].map((id) => svixFormOf(id, 'message')!);
    for (const form of forms) expect(form).toMatch(/^msg_[A-Za-z0-9]{27}$/);
    expect([...forms].sort(binaryOrder)).toEqual(forms);
    expect(forms.map((form) => idOfSvixForm(form, 'message'))).toEqual([older, newer, current]);
    expect(bytesOf(forms[1]).readUInt32BE(0)).toBe(0);
  });

  it('refuse another kind, other text, and numbers past 20 bytes', () => {
    const id = newId('endpoint');
    expect(svixFormOf(id, 'message')).toBeNull();
    expect(svixFormOf('ep_1', 'endpoint')).toBeNull();
    expect(idOfSvixForm(id, 'message')).toBeNull();
    expect(idOfSvixForm(`${id}0`, 'endpoint')).toBeNull();
    expect(idOfSvixForm('ep_zzzzzzzzzzzzzzzzzzzzzzzzzzz', 'endpoint')).toBeNull();
    expect(idOfSvixForm('ep_aWgEPTl1tmebfsQzFP4bxwgy80V', 'endpoint')).toBe('ep_aWgEPTl1tmebfsQzFP4bxwgy80V');
  });
});
