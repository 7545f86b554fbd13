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
    });
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty" is invalid/],
    ['PORT', '70000', /PORT="70000" is invalid/],
    ['DATABASE_URL', 'postgres://x/y', /DATABASE_URL=.* expected mysql: or mariadb:/],
    ['REDIS_URL', 'not a url', /REDIS_URL=.* not a URL/],
    ['HOMING_RETRY_SCHEDULE', '5s,soon', /HOMING_RETRY_SCHEDULE="5s,soon" is invalid/],
    ['HOMING_REQUEST_TIMEOUT', '15 seconds', /HOMING_REQUEST_TIMEOUT="15 seconds" is invalid/],
    ['HOMING_DISABLE_AFTER', '-1d', /HOMING_DISABLE_AFTER="-1d" is invalid/],
    ['HOMING_SWEEP_INTERVAL', 'often', /HOMING_SWEEP_INTERVAL="often" is invalid/],
    ['HOMING_WORKER', 'maybe', /HOMING_WORKER="maybe" is invalid/],
  ])('stops on %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => readDispatcherConfig({ [name]: value })).toThrow(message);
  });
});
