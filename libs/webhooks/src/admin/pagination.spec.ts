import { describe, expect, it } from 'vitest';
import { newId } from '../entities/entity-id.js';
import { decodeIterator, encodeIterator } from './pagination.js';

const OLD_APP = 'app_01JD3B9R8Q2W6N3V5X7Y9Z1A2B';

describe('iterators', () => {
  it("take Svix's shape for the kind of id a listing pages by, '-' in front to go back", () => {
    const id = newId('attempt');
    expect(encodeIterator({ key: id, backwards: false }, 'attempt')).toBe(id);
    expect(encodeIterator({ key: id, backwards: true }, 'attempt')).toBe(`-${id}`);
    expect(decodeIterator(`-${id}`, 'attempt')).toEqual({ key: id, backwards: true });
  });

  it('carry an id minted as a ULID in the same shape, below current ids, and read back to it', () => {
    const iterator = encodeIterator({ key: OLD_APP, backwards: false }, 'application');
    expect(iterator).toMatch(/^app_[A-Za-z0-9]{27}$/);
    expect(iterator < newId('application')).toBe(true);
    expect(decodeIterator(iterator, 'application')).toEqual({ key: OLD_APP, backwards: false });
  });

  it('give event-type names as they are, escaping a leading - or . that would read as a direction or the escape', () => {
    for (const name of ['user.signup', '-leading.dash', '.leading.dot', 'x'.repeat(254)]) {
      const iterator = encodeIterator({ key: name, backwards: false }, 'eventTypeName');
      expect(iterator).toMatch(/^[a-zA-Z0-9\-_.]{1,256}$/);
      expect(iterator.startsWith('-')).toBe(false);
      expect(decodeIterator(iterator, 'eventTypeName')).toEqual({ key: name, backwards: false });
      expect(decodeIterator(`-${iterator}`, 'eventTypeName')).toEqual({ key: name, backwards: true });
    }
    expect(encodeIterator({ key: 'user.signup', backwards: true }, 'eventTypeName')).toBe('-user.signup');
  });

  it('still read the base64url form handed out before, and use it for keys of no known form', () => {
    const before = Buffer.from(`-${OLD_APP}`).toString('base64url');
    expect(decodeIterator(before, 'application')).toEqual({ key: OLD_APP, backwards: true });
    expect(decodeIterator(Buffer.from('+user.signup').toString('base64url'), 'eventTypeName')).toEqual({ key: 'user.signup', backwards: false });
    const handWritten = encodeIterator({ key: 'ep_1', backwards: false }, 'endpoint');
    expect(decodeIterator(handWritten, 'endpoint')).toEqual({ key: 'ep_1', backwards: false });
  });

  it('refuse what this API never gave, naming the iterator field', () => {
    const msg = newId('message');
    for (const [iterator, kind] of [
      ['not-an-iterator', 'application'],
      [msg, 'application'],
      [`${msg}x`, 'message'],
      ['msg_zzzzzzzzzzzzzzzzzzzzzzzzzzz', 'message'],
      ['bm9wZQ', 'endpoint'],
      ['has space', 'eventTypeName'],
      ['.no.escape.needed', 'eventTypeName'],
      ['-', 'eventTypeName'],
    ] as const) {
      expect(() => decodeIterator(iterator, kind), iterator).toThrow(expect.objectContaining({ fields: [expect.objectContaining({ path: ['iterator'] })] }));
    }
  });
});
