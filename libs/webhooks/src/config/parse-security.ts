import { isIP } from 'node:net';

// The security settings (allowedCidrs, encryptionKey, proxyUrl) as configuration reads them; security/ puts
// them to use. Parsing them here keeps configuration below the code it configures.

export type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  address: string;
  prefix: number;
  family: Family;
}

/** Parses `10.0.0.0/8`, `::1/128` or a single address (a one-address range). */
export function parseCidr(text: string): Cidr {
  const [rawAddress, rawPrefix, ...rest] = text.trim().split('/');
  const address = stripBrackets(rawAddress);
  const version = isIP(address);
  const max = version === 6 ? 128 : 32;
  const prefix = rawPrefix === undefined ? max : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) : NaN;
  if (version === 0 || rest.length > 0 || !(prefix >= 0 && prefix <= max)) {
    throw new Error(`"${text}" is not a CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  return { address, prefix, family: version === 6 ? 'ipv6' : 'ipv4' };
}

/** An IPv6 literal as URLs write it (`[::1]`) without its brackets. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Reads a 32-byte key given as 64 hex digits or as base64. */
export function parseEncryptionKey(text: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : null;
  if (key?.length !== 32) {
    throw new Error(`expected 32 bytes as 64 hex digits or base64 (e.g. the output of \`openssl rand -base64 32\`), got ${key ? `${key.length} bytes` : 'neither'}`);
  }
  return key;
}

/** Checks a proxy URL: `http://` or `https://`, optionally with credentials. */
export function parseProxyUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error('not a URL (expected e.g. http://proxy.internal:3128)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`expected an http:// or https:// proxy, got ${url.protocol}//`);
  return url.href;
}
