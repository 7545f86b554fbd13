import { describe, expect, it } from 'vitest';
import { parseCidr } from '../config/parse-security.js';
import { AddressPolicy } from './address-ranges.js';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it.each([
    ['127.0.0.1', /loopback address \(127\.0\.0\.0\/8\)/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback address \(::1\/128\)/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['[::1]', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['10.0.0.1', /private address \(10\.0\.0\.0\/8\)/],
    ['172.16.0.1', /private address \(172\.16\.0\.0\/12\)/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private address \(192\.168\.0\.0\/16\)/],
    ['169.254.169.254', /cloud metadata address/],
    ['169.254.1.1', /link-local address \(169\.254\.0\.0\/16\)/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['224.0.0.1', /multicast address \(224\.0\.0\.0\/4\)/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.10', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['fc00::1', /unique local/],
    ['fd12:3456:789a::1', /unique local/],
    ['fe80::1', /link-local address \(fe80::\/10\)/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['::ffff:127.0.0.1', /::ffff:127\.0\.0\.1 \(127\.0\.0\.1\) is a loopback address/],
    ['::ffff:7f00:1', /\(127\.0\.0\.1\) is a loopback/],
    ['0:0:0:0:0:ffff:a9fe:a9fe', /\(169\.254\.169\.254\) is a cloud metadata/],
    ['::ffff:10.1.2.3', /\(10\.1\.2\.3\) is a private/],
    ['::ffff:192.168.0.1', /private/],
    ['64:ff9b::7f00:1', /\(127\.0\.0\.1\) is a loopback/],
    ['::ffff:0:127.0.0.1', /::ffff:0:127\.0\.0\.1 \(127\.0\.0\.1\) is a loopback address/],
    ['::ffff:0:7f00:1', /\(127\.0\.0\.1\) is a loopback/],
    ['0:0:0:0:ffff:0:7f00:1', /\(127\.0\.0\.1\) is a loopback/],
    ['::FFFF:0:7F00:0001', /\(127\.0\.0\.1\) is a loopback/],
    ['[::ffff:0:127.0.0.1]', /\(127\.0\.0\.1\) is a loopback/],
    ['::ffff:0:a9fe:a9fe', /\(169\.254\.169\.254\) is a cloud metadata/],
    ['::ffff:0:10.1.2.3', /\(10\.1\.2\.3\) is a private/],
    ['::ffff:0:0.0.0.0', /\(0\.0\.0\.0\) is a unspecified/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['2002:7f00:1::', /6to4/],
  ])('refuses %s', (address, reason) => {
    expect(policy.refusal(address)?.reason).toMatch(reason);
    expect(policy.refusal(address)?.reason).toMatch(/not in the allowed CIDRs$/);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '169.253.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '64:ff9b::808:808'])(
    'allows the public address %s',
    (address) => {
      expect(policy.refusal(address)).toBeNull();
    },
  );

  it('lets allow-listed ranges through, and only those', () => {
    const allowing = new AddressPolicy(['127.0.0.0/8', '10.20.0.0/16', 'fd00::/8', '169.254.169.254']);
    expect(allowing.refusal('127.0.0.1')).toBeNull();
    expect(allowing.refusal('::ffff:127.0.0.1')).toBeNull();
    expect(allowing.refusal('::ffff:0:127.0.0.1')).toBeNull();
    expect(allowing.refusal('10.20.3.4')).toBeNull();
    expect(allowing.refusal('fd00::5')).toBeNull();
    expect(allowing.refusal('169.254.169.254')).toBeNull();
    expect(allowing.refusal('10.21.0.1')?.reason).toMatch(/private/);
    expect(allowing.refusal('::1')?.reason).toMatch(/loopback/);
    expect(allowing.refusal('fc00::1')?.reason).toMatch(/unique local/);
    expect(allowing.refusal('169.254.169.253')?.reason).toMatch(/link-local/);
    expect(allowing.refusal('::ffff:0:10.21.0.1')?.reason).toMatch(/private/);
  });

  it("tells the endpoint's owner whether the address is local, on a private network or off the public internet", () => {
    const kinds = (addresses: string[]) => addresses.map((address) => policy.refusal(address)?.kind);
    expect(kinds(['127.0.0.1', '::1', '0.0.0.0', '::ffff:127.0.0.1'])).toEqual(['local', 'local', 'local', 'local']);
    expect(kinds(['10.0.0.5', '192.168.1.1', '100.64.0.1', '169.254.169.254', 'fe80::1', 'fd00::1'])).toEqual(Array(6).fill('private'));
    expect(kinds(['192.0.2.10', '224.0.0.1', '255.255.255.255', '2001:db8::1', '2002:7f00:1::'])).toEqual(Array(5).fill('reserved'));
  });

  it('says so when given something that is not an address', () => {
    expect(policy.refusal('localhost')?.reason).toMatch(/"localhost" is not an IP address/);
  });
});

describe('parseCidr', () => {
  it('reads ranges and single addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr(' fd00::/8 ')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
    expect(parseCidr('127.0.0.2')).toEqual({ address: '127.0.0.2', prefix: 32, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
  });

  it.each(['10.0.0.0/33', '::/129', 'example.com/8', '10.0.0/8', '10.0.0.0/8/8', '10.0.0.0/', '10.0.0.0/x', ''])('rejects %j', (text) => {
    expect(() => parseCidr(text)).toThrow(/is not a CIDR range/);
  });
});
