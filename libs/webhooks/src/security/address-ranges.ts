import { BlockList, isIP } from 'node:net';
import { type Family, parseCidr, stripBrackets } from '../config/parse-security.js';
import type { RefusedDestination } from '../exceptions/homing-errors.js';

type AddressKind = Exclude<RefusedDestination['kind'], 'scheme'>;

/**
 * Ranges a webhook may not be sent to unless allow-listed: everything that is not the public internet
 * (IANA special-purpose registries), so an endpoint URL cannot reach the dispatcher's own network.
 * The first range that holds an address names the reason; `owner` is what its endpoint's owner is told.
 */
const FORBIDDEN_RANGES: readonly (readonly [cidr: string, kind: string, owner: AddressKind])[] = [
  ['0.0.0.0/8', 'unspecified ("this network")', 'local'],
  ['10.0.0.0/8', 'private', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (shared)', 'private'],
  ['127.0.0.0/8', 'loopback', 'local'],
  ['169.254.169.254/32', 'cloud metadata', 'private'],
  ['169.254.0.0/16', 'link-local', 'private'],
  ['172.16.0.0/12', 'private', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignment', 'reserved'],
  ['192.0.2.0/24', 'documentation', 'reserved'],
  ['192.88.99.0/24', '6to4 relay (reserved)', 'reserved'],
  ['192.168.0.0/16', 'private', 'private'],
  ['198.18.0.0/15', 'benchmarking', 'reserved'],
  ['198.51.100.0/24', 'documentation', 'reserved'],
  ['203.0.113.0/24', 'documentation', 'reserved'],
  ['224.0.0.0/4', 'multicast', 'reserved'],
  ['255.255.255.255/32', 'broadcast', 'reserved'],
  ['240.0.0.0/4', 'reserved', 'reserved'],
  ['::/128', 'unspecified', 'local'],
  ['::1/128', 'loopback', 'local'],
  ['::/96', 'IPv4-compatible (deprecated)', 'reserved'],
  ['64:ff9b:1::/48', 'local-use NAT64', 'private'],
  ['100::/64', 'discard-only', 'reserved'],
  ['2001::/32', 'Teredo tunnel', 'reserved'],
  ['2001:db8::/32', 'documentation', 'reserved'],
  ['2002::/16', '6to4 tunnel', 'reserved'],
  ['fc00::/7', 'unique local (private)', 'private'],
  ['fe80::/10', 'link-local', 'private'],
  ['fec0::/10', 'site-local (deprecated)', 'private'],
  ['ff00::/8', 'multicast', 'reserved'],
];

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const { address, prefix, family } = parseCidr(text);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

const FORBIDDEN = FORBIDDEN_RANGES.map(([cidr, kind, owner]) => ({ cidr, kind, owner, list: blockListOf([cidr]) }));

/** Decides which IP addresses outbound deliveries may connect to. */
export class AddressPolicy {
  private readonly allowed: BlockList;

  /** @param allowedCidrs ranges let through although forbidden by default, e.g. `10.1.0.0/16` for an internal network. */
  constructor(allowedCidrs: readonly string[] = []) {
    this.allowed = blockListOf(allowedCidrs);
  }

  /** Why a connection to this IP address is refused (the operator's `reason`, the owner's `kind`), or null when it is allowed. */
  refusal(ip: string): { reason: string; kind: AddressKind } | null {
    const address = stripBrackets(ip).replace(/%.*$/, '');
    const version = isIP(address);
    if (version === 0) return { reason: `"${ip}" is not an IP address`, kind: 'reserved' };
    const family: Family = version === 6 ? 'ipv6' : 'ipv4';
    // An IPv6 address that carries an IPv4 one reaches that IPv4 address, so that is the one judged.
    const embedded = family === 'ipv6' ? embeddedIpv4(address) : null;
    const [judged, judgedFamily] = embedded ? [embedded, 'ipv4' as const] : [address, family];
    if (this.allowed.check(address, family) || this.allowed.check(judged, judgedFamily)) return null;
    const range = FORBIDDEN.find(({ list }) => list.check(judged, judgedFamily));
    if (!range) return null;
    const shown = embedded ? `${address} (${embedded})` : address;
    return { reason: `${shown} is a ${range.kind} address (${range.cidr}), not in the allowed CIDRs`, kind: range.owner };
  }
}

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`, RFC 2765)
 * or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address: each reaches that IPv4 address.
 */
function embeddedIpv4(ipv6: string): string | null {
  const groups = ipv6Groups(ipv6);
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const mapped = zeros(0, 5) && groups[5] === 0xffff;
  const translated = zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !translated && !nat64) return null;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address. */
function ipv6Groups(ipv6: string): number[] {
  // The URL parser writes every IPv6 form (dotted tails included) in the compressed hex form.
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  if (tail === undefined) return parse(head);
  const [front, back] = [parse(head), parse(tail)];
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
