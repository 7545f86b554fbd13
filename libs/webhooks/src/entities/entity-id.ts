import { randomFillSync } from 'node:crypto';
import { ID_PREFIX } from '../webhooks.constants.js';

export type IdKind = keyof typeof ID_PREFIX;

/**
 * Ids have Svix's shape (`app_` + 27 base62 characters) and, like Svix's KSUIDs, hold 20 bytes:
 * seconds since the KSUID epoch (4), the millisecond within that second (2), then 14 random bytes.
 * The base62 alphabet is in ASCII order and the width fixed, so text order (binary collation) is
 * creation order: listings and polling page by id.
 */
const KSUID_EPOCH_SECONDS = 1_400_000_000;
const ID_BYTES = 20;
const RANDOM_FROM = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_WIDTH = 27;
const BASE62_BODY = /^[0-9A-Za-z]{27}$/;
/** Ids minted before this form: ULIDs (128 bits in 26 Crockford base32 characters). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_BODY = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const ULID_LIMIT = 2n ** 128n;
const ID_LIMIT = 2n ** 160n;

/** Random bytes come from a pool refilled 4 kB at a time: asking the system per id is a visible cost in the delivery path. */
const pool = Buffer.alloc(4096);
let used = pool.length;
function fillRandom(target: Buffer, from: number): void {
  const count = target.length - from;
  if (used + count > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  pool.copy(target, from, used, used + count);
  used += count;
}

const last = Buffer.alloc(ID_BYTES);
let lastMillis = -Infinity;

/** A prefixed, time-sortable id such as `msg_3BqGCz1kQ8u1XvYwW5FdTnA2hJk`, greater than every id this process made before. */
export function newId(kind: IdKind): string {
  const now = Date.now();
  if (now > lastMillis) {
    lastMillis = now;
    last.writeUInt32BE(Math.floor(now / 1000) - KSUID_EPOCH_SECONDS, 0);
    last.writeUInt16BE(now % 1000, 4);
    fillRandom(last, RANDOM_FROM);
  } else {
    // The same millisecond (or the clock stepped back): count up from the last id so order stays creation order.
    increment(last);
  }
  return `${ID_PREFIX[kind]}_${toDigits(BigInt(`0x${last.toString('hex')}`), BASE62, BASE62_WIDTH)}`;
}

/**
 * An id in Svix's shape: a current id as it is; a ULID minted before as its number in the same 27
 * base62 characters. That number is below 2^128 and every current id is above it (its top 32 bits,
 * the seconds, are never 0), so the form keeps the ids' order. Null for text of neither form.
 */
export function svixFormOf(id: string, kind: IdKind): string | null {
  const prefix = `${ID_PREFIX[kind]}_`;
  if (!id.startsWith(prefix)) return null;
  const body = id.slice(prefix.length);
  if (BASE62_BODY.test(body)) return id;
  if (ULID_BODY.test(body)) return prefix + toDigits(fromDigits(body, CROCKFORD), BASE62, BASE62_WIDTH);
  return null;
}

/** The id that `svixFormOf` gave `text` for; null if `text` is no id of `kind` in Svix's shape. */
export function idOfSvixForm(text: string, kind: IdKind): string | null {
  const prefix = `${ID_PREFIX[kind]}_`;
  const body = text.slice(prefix.length);
  if (!text.startsWith(prefix) || !BASE62_BODY.test(body)) return null;
  const value = fromDigits(body, BASE62);
  if (value >= ID_LIMIT) return null;
  return value < ULID_LIMIT ? prefix + toDigits(value, CROCKFORD, 26) : text;
}

function increment(bytes: Buffer): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] !== 0xff) {
      bytes[i]++;
      return;
    }
    bytes[i] = 0;
  }
}

/** `value` in `width` digits of `alphabet` (most significant first, zero-padded). */
function toDigits(value: bigint, alphabet: string, width: number): string {
  const base = BigInt(alphabet.length);
  let text = '';
  for (let i = 0; i < width; i++) {
    text = alphabet[Number(value % base)] + text;
    value /= base;
  }
  return text;
}

/** The number `text` writes in `alphabet` (the caller has checked every character is in it). */
function fromDigits(text: string, alphabet: string): bigint {
  const base = BigInt(alphabet.length);
  let value = 0n;
  for (const char of text) value = value * base + BigInt(alphabet.indexOf(char));
  return value;
}
