import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { readDispatcherConfig } from './dispatcher-config.js';

describe('readDispatcherConfig', () => {
  it('has working defaults for a fresh machine', () => {
    expect(readDispatcherConfig({})).toMatchObject({
      port: 3000,
      databaseUrl: 'mysql://root@127.0.0.1:3306/homing',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'homing',
      retrySchedule: '5s,5m,30m,2h,5h,10h,10h',
      requestTimeout: '15s',
      disableAfter: '5d',
      worker: true,
      allowedCidrs: [],
      httpsOnly: false,
      encryptionKey: undefined,
      maxPayload: '1mb',
      proxyUrl: undefined,
      payloadRetention: '90d',
      purgeInterval: '1h',
      retention: '90d',
      logLevel: 'log',
    });
  });

  it('runs a process per core unless HOMING_PROCESSES says otherwise', () => {
    expect(readDispatcherConfig({})).toMatchObject({ processes: os.availableParallelism() });
    expect(readDispatcherConfig({ HOMING_PROCESSES: '3' })).toMatchObject({ processes: 3 });
    expect(() => readDispatcherConfig({ HOMING_PROCESSES: '0' })).toThrow(/^HOMING_PROCESSES="0" is invalid/);
    expect(() => readDispatcherConfig({ HOMING_PROCESSES: 'all' })).toThrow(/^HOMING_PROCESSES="all" is invalid/);
  });

  it('reads the log level and names a bad one', () => {
    expect(readDispatcherConfig({ HOMING_LOG_LEVEL: 'debug' })).toMatchObject({ logLevel: 'debug' });
    expect(() => readDispatcherConfig({ HOMING_LOG_LEVEL: 'loud' })).toThrow(/^HOMING_LOG_LEVEL="loud" is invalid: expected one of error, warn, log, debug/);
  });

  it('reads the scheme of generated secrets and names a bad one', () => {
    expect(readDispatcherConfig({})).toMatchObject({ defaultSignature: 'hmac-sha256' });
    expect(readDispatcherConfig({ HOMING_DEFAULT_SIGNATURE: 'ed25519' })).toMatchObject({ defaultSignature: 'ed25519' });
    expect(() => readDispatcherConfig({ HOMING_DEFAULT_SIGNATURE: 'rsa' })).toThrow(/^HOMING_DEFAULT_SIGNATURE="rsa" is invalid: expected one of hmac-sha256, ed25519/);
  });

  it('reads the retention settings and names a bad one', () => {
    expect(readDispatcherConfig({ HOMING_PAYLOAD_RETENTION: '30d', HOMING_PURGE_INTERVAL: '10m' })).toMatchObject({ payloadRetention: '30d', purgeInterval: '10m' });
    expect(() => readDispatcherConfig({ HOMING_PAYLOAD_RETENTION: 'forever' })).toThrow(/^HOMING_PAYLOAD_RETENTION="forever" is invalid/);
  });

  it('reads the row retention, off included, and names a bad one', () => {
    expect(readDispatcherConfig({ HOMING_RETENTION: '30d' })).toMatchObject({ retention: '30d' });
    expect(readDispatcherConfig({ HOMING_RETENTION: 'off' })).toMatchObject({ retention: 'off' });
    expect(() => readDispatcherConfig({ HOMING_RETENTION: 'forever' })).toThrow(/^HOMING_RETENTION="forever" is invalid: "forever" is not a duration/);
    expect(() => readDispatcherConfig({ HOMING_RETENTION: '90' })).toThrow(/^HOMING_RETENTION="90" is invalid: expected off or a duration of at least 1d/);
  });

  it("reads the backlog's CPU ceiling and names a bad one", () => {
    expect(readDispatcherConfig({})).toMatchObject({ backlogCpuCeiling: 0.9 });
    expect(readDispatcherConfig({ HOMING_BACKLOG_CPU_CEILING: '0.8' })).toMatchObject({ backlogCpuCeiling: 0.8 });
    expect(readDispatcherConfig({ HOMING_BACKLOG_CPU_CEILING: '1' })).toMatchObject({ backlogCpuCeiling: 1 });
    for (const bad of ['0', '1.5', '90%', 'half', '-0.5']) {
      expect(() => readDispatcherConfig({ HOMING_BACKLOG_CPU_CEILING: bad })).toThrow(new RegExp(`^HOMING_BACKLOG_CPU_CEILING="${bad}" is invalid: expected a number above 0 and at most 1`));
    }
  });

  it("reads what an ordered endpoint's line does after a delivery fails for good, and names a bad value", () => {
    expect(readDispatcherConfig({})).toMatchObject({ orderedFailure: 'hold' });
    expect(readDispatcherConfig({ HOMING_ORDERED_FAILURE: 'skip' })).toMatchObject({ orderedFailure: 'skip' });
    expect(() => readDispatcherConfig({ HOMING_ORDERED_FAILURE: 'drop' })).toThrow(/^HOMING_ORDERED_FAILURE="drop" is invalid: .*expected hold or skip/);
  });

  it('reads the security settings', () => {
    const key = 'a'.repeat(64);
    expect(
      readDispatcherConfig({
        HOMING_ALLOWED_CIDRS: ' 127.0.0.0/8, ::1/128 ,10.1.2.3',
        HOMING_HTTPS_ONLY: 'true',
        HOMING_ENCRYPTION_KEY: key,
        HOMING_MAX_PAYLOAD: '256kb',
        HOMING_PROXY_URL: 'http://egress.internal:3128',
      }),
    ).toMatchObject({ allowedCidrs: ['127.0.0.0/8', '::1/128', '10.1.2.3'], httpsOnly: true, encryptionKey: key, maxPayload: '256kb', proxyUrl: 'http://egress.internal:3128' });
  });

  it.each([
    ['HOMING_ENCRYPTION_KEY', 'c2hvcnQta2V5', /^HOMING_ENCRYPTION_KEY is invalid \(value not shown\): expected 32 bytes/],
    ['HOMING_PROXY_URL', 'socks5://user:hunter2@proxy:1080', /^HOMING_PROXY_URL is invalid \(value not shown\): expected an http:\/\/ or https:\/\/ proxy/],
    ['HOMING_API_TOKEN', 'too short', /^HOMING_API_TOKEN is invalid \(value not shown\): expected at least 16 printable characters/],
  ])('stops on a bad %s without repeating it', (name, value, message) => {
    expect(() => readDispatcherConfig({ [name]: value })).toThrow(message);
    expect(() => readDispatcherConfig({ [name]: value })).not.toThrow(value);
  });

  it('reads the operator token and the portal link base, leaving the token unset when not given', () => {
    expect(readDispatcherConfig({ HOMING_API_TOKEN: ' s3cr3t-operator-token ', HOMING_PORTAL_URL: 'https://portal.example.com/webhooks' })).toMatchObject({
      apiToken: 's3cr3t-operator-token',
      portalUrl: 'https://portal.example.com/webhooks',
    });
    expect(readDispatcherConfig({})).toMatchObject({ apiToken: undefined, portalUrl: undefined });
  });

  it('reads the origins that may call the API from a browser and frame the portal, none by default', () => {
    expect(readDispatcherConfig({})).toMatchObject({ corsOrigins: [], portalFrameAncestors: [] });
    expect(
      readDispatcherConfig({ HOMING_CORS_ORIGINS: ' https://dashboard.example.com, http://localhost:5173 ,', HOMING_PORTAL_FRAME_ANCESTORS: 'https://dashboard.example.com' }),
    ).toMatchObject({ corsOrigins: ['https://dashboard.example.com', 'http://localhost:5173'], portalFrameAncestors: ['https://dashboard.example.com'] });
  });

  it.each([
    ['HOMING_CORS_ORIGINS', 'https://dashboard.example.com/', 'https://dashboard.example.com/'],
    ['HOMING_CORS_ORIGINS', '*', '*'],
    ['HOMING_CORS_ORIGINS', 'https://Dashboard.example.com', 'https://Dashboard.example.com'],
    ['HOMING_PORTAL_FRAME_ANCESTORS', 'https://a.example.com,dashboard.example.com', 'dashboard.example.com'],
    ['HOMING_PORTAL_FRAME_ANCESTORS', "https://a;script-src 'unsafe-inline'", "https://a;script-src 'unsafe-inline'"],
    ['HOMING_PORTAL_FRAME_ANCESTORS', 'ftp://files.example.com', 'ftp://files.example.com'],
  ])('stops on %s=%s naming the value that is not an origin', (name, value, bad) => {
    expect(() => readDispatcherConfig({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)} is invalid: ${JSON.stringify(bad)} is not an origin; expected http(s)://host[:port]`);
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty" is invalid/],
    ['HOMING_PORTAL_URL', 'ftp://portal.example.com', /HOMING_PORTAL_URL=.* expected http: or https:/],
    ['PORT', '70000', /PORT="70000" is invalid/],
    ['DATABASE_URL', 'postgres://x/y', /DATABASE_URL=.* expected mysql: or mariadb:/],
    ['REDIS_URL', 'not a url', /REDIS_URL=.* not a URL/],
    ['HOMING_RETRY_SCHEDULE', '5s,soon', /HOMING_RETRY_SCHEDULE="5s,soon" is invalid/],
    ['HOMING_REQUEST_TIMEOUT', '15 seconds', /HOMING_REQUEST_TIMEOUT="15 seconds" is invalid/],
    ['HOMING_DISABLE_AFTER', '-1d', /HOMING_DISABLE_AFTER="-1d" is invalid/],
    ['HOMING_SWEEP_INTERVAL', 'often', /HOMING_SWEEP_INTERVAL="often" is invalid/],
    ['HOMING_WORKER', 'maybe', /HOMING_WORKER="maybe" is invalid/],
    ['HOMING_ALLOWED_CIDRS', '127.0.0.0/8,10.0.0.0/33', /HOMING_ALLOWED_CIDRS="127.0.0.0\/8,10.0.0.0\/33" is invalid: "10.0.0.0\/33" is not a CIDR range/],
    ['HOMING_ALLOWED_CIDRS', 'localhost', /HOMING_ALLOWED_CIDRS="localhost" is invalid/],
    ['HOMING_HTTPS_ONLY', 'yes please', /HOMING_HTTPS_ONLY="yes please" is invalid/],
    ['HOMING_MAX_PAYLOAD', 'huge', /HOMING_MAX_PAYLOAD="huge" is invalid/],
    ['HOMING_MAX_PAYLOAD', '0', /HOMING_MAX_PAYLOAD="0" is invalid/],
  ])('stops on %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => readDispatcherConfig({ [name]: value })).toThrow(message);
  });
});
