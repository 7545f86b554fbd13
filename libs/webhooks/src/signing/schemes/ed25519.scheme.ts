import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import type { SigningScheme } from './signing-scheme.js';

const SECRET_PREFIX = 'whsk_';
const PUBLIC_PREFIX = 'whpk_';
const SECRET_FORMAT = /^whsk_[A-Za-z0-9+/]{86}==$/;
const KEY_FORMAT = /^whpk_[A-Za-z0-9+/]{43}=$/;
/** DER headers that make a raw 32-byte seed a PKCS#8 private key and a raw 32-byte key an SPKI public key (RFC 8410). */
const PKCS8_SEED_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_KEY_HEADER = Buffer.from('302a300506032b6570032100', 'hex');
/** Parsed keys kept, by their text: every delivery signs with its endpoint's key, every receipt verifies. */
const KEYS_LIMIT = 10_000;
const keys = new Map<string, KeyObject>();

const bytesOf = (content: string | Buffer) => (typeof content === 'string' ? Buffer.from(content) : content);

function keyObject(text: string, parse: (text: string) => KeyObject): KeyObject {
  let key = keys.get(text);
  if (!key) {
    if (keys.size >= KEYS_LIMIT) keys.clear();
    key = parse(text);
    keys.set(text, key);
  }
  return key;
}

/** The 64 bytes of a `whsk_` secret: the seed, then the public key (as libsodium and Svix lay them out). */
const secretBytes = (secret: string) => Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');

const privateKey = (secret: string) =>
  keyObject(secret, () => createPrivateKey({ key: Buffer.concat([PKCS8_SEED_HEADER, secretBytes(secret).subarray(0, 32)]), format: 'der', type: 'pkcs8' }));

const publicKey = (key: string) =>
  keyObject(key, () => createPublicKey({ key: Buffer.concat([SPKI_KEY_HEADER, Buffer.from(key.slice(PUBLIC_PREFIX.length), 'base64')]), format: 'der', type: 'spki' }));

/** The raw public key the seed derives: the last 32 bytes of its SPKI form. */
const derivedPublicKey = (secret: string) => createPublicKey(privateKey(secret)).export({ format: 'der', type: 'spki' }).subarray(SPKI_KEY_HEADER.length);

/** Standard Webhooks `v1a`: ed25519, signed with the `whsk_` secret key, verified with the `whpk_` public key. */
export const ed25519Scheme = {
  name: 'ed25519',
  version: 'v1a',
  secretPrefix: SECRET_PREFIX,
  publicPrefix: PUBLIC_PREFIX,
  symmetric: false,
  secretFormat: 'whsk_ and the base64 of a 64-byte ed25519 secret key (seed, then public key)',
  keyFormat: 'whpk_ and the base64 of a 32-byte ed25519 public key',

  generate(): string {
    const { privateKey: generated, publicKey: derived } = generateKeyPairSync('ed25519');
    const seed = generated.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_SEED_HEADER.length);
    const raw = derived.export({ format: 'der', type: 'spki' }).subarray(SPKI_KEY_HEADER.length);
    return SECRET_PREFIX + Buffer.concat([seed, raw]).toString('base64');
  },

  /** Well formed, and its second half is the public key its seed derives (Svix checks the pair by signing with it). */
  isValid(secret: string): boolean {
    return SECRET_FORMAT.test(secret) && derivedPublicKey(secret).equals(secretBytes(secret).subarray(32));
  },

  isValidKey: (key: string) => KEY_FORMAT.test(key),

  sign: (secret: string, content: string | Buffer) => `v1a,${sign(null, bytesOf(content), privateKey(secret)).toString('base64')}`,

  verify(key: string, content: string | Buffer, signature: string): boolean {
    // A resolver's keys are not checked at boot: a malformed one fails to verify rather than throwing.
    if (!signature.startsWith('v1a,') || !KEY_FORMAT.test(key)) return false;
    const bytes = Buffer.from(signature.slice('v1a,'.length), 'base64');
    return bytes.length === 64 && verify(null, bytesOf(content), publicKey(key), bytes);
  },

  customerKey: (secret: string) => PUBLIC_PREFIX + secretBytes(secret).subarray(32).toString('base64'),
} as const satisfies SigningScheme;
