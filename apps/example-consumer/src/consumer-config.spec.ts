import { describe, expect, it } from 'vitest';
import { readConsumerConfig } from './consumer-config.js';

describe('readConsumerConfig', () => {
  it('reads the port, one or several secrets and an optional Redis URL', () => {
    expect(readConsumerConfig({ WEBHOOK_SECRET: 'whsec_a' })).toEqual({ port: 3001, secrets: ['whsec_a'], redisUrl: undefined });
    expect(readConsumerConfig({ PORT: '4000', WEBHOOK_SECRET: 'whsec_new, whsec_old', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      port: 4000,
      secrets: ['whsec_new', 'whsec_old'],
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readConsumerConfig({})).toThrow(/^WEBHOOK_SECRET: required/);
    expect(() => readConsumerConfig({ WEBHOOK_SECRET: 'whsec_a', PORT: 'eighty' })).toThrow('PORT: "eighty" is not a port number');
  });
});
