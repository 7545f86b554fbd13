import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { ID_PREFIX } from '../webhooks.constants.js';

/**
 * ulid's default source asks the system for random bytes once per character (16 calls per id, a
 * visible cost in the delivery path); this one takes them from a pool refilled 4 kB at a time.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;
function pooledRandom(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++] / 256;
}

const ulid = monotonicFactory(pooledRandom);

/** A prefixed, time-sortable id such as `msg_01JD3…` (ULID: sorts by creation time). */
export function newId(kind: keyof typeof ID_PREFIX): string {
  return `${ID_PREFIX[kind]}_${ulid()}`;
}
