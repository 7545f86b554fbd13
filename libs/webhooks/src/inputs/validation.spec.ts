import { describe, expect, it } from 'vitest';
import { ValidationError } from '../exceptions/homing-errors.js';
import { ApplicationInput } from './application.input.js';
import { EventTypeInput } from './event-type.input.js';
import { MessageInput } from './message.input.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, signatureSchemeProblem, validateInput } from './validation.js';

/** `levels` objects nested in one another under `key`, built without recursion. */
function nested(levels: number, key = 'a'): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level += 1) value = { [key]: value };
  return value;
}

/** The ValidationError validateInput gives, or a failure when it accepts the input. */
async function refusal(dto: new () => object, input: unknown) {
  const error = await validateInput(dto, input).then(
    () => expect.fail('accepted'),
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('nestsDeeperThan', () => {
  it('measures arrays and objects at any depth, without recursion', () => {
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(100_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it('ends on a value that contains itself', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(nestsDeeperThan(cyclic, 5)).toBe(true);
  });
});

describe('validateInput', () => {
  it('refuses input nested deeper than MAX_JSON_DEPTH with a ValidationError naming the field, not a stack overflow', async () => {
    expect((await refusal(MessageInput, { eventType: 'a', payload: nested(100_000) })).fields).toEqual([
      { path: ['payload'], message: 'payload nests arrays and objects deeper than 128 levels (counted from the body)', type: 'value_error.depth' },
    ]);
    expect((await refusal(ApplicationInput, { name: 'x', metadata: nested(100_000) })).fields[0].path).toEqual(['metadata']);
    await expect(validateInput(MessageInput, { eventType: 'a', payload: nested(MAX_JSON_DEPTH - 1) })).resolves.toBeInstanceOf(MessageInput);
  });

  it('measures a payload given as JSON text on the text, strings and escapes skipped', async () => {
    const text = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    await expect(validateInput(MessageInput, { eventType: 'a', payload: `{"s":"[[[\\"[[[","a":${text(127)}}` })).resolves.toBeInstanceOf(MessageInput);
    expect((await refusal(MessageInput, { eventType: 'a', payload: text(100_000) })).fields).toEqual([
      { path: ['payload'], message: 'payload nests arrays and objects deeper than 128 levels', type: 'isPayload' },
    ]);
    expect((await refusal(MessageInput, { eventType: 'a', payload: null })).fields[0].message).toBe('payload must be a JSON value');
  });

  it('keeps schemas to what a MariaDB JSON column holds (31 levels)', async () => {
    await expect(validateInput(EventTypeInput, { name: 'a', description: '', schemas: nested(31) })).resolves.toBeInstanceOf(EventTypeInput);
    expect((await refusal(EventTypeInput, { name: 'a', description: '', schemas: nested(32) })).fields).toEqual([
      { path: ['schemas'], message: 'schemas must be a JSON object nested at most 31 levels', type: 'isJsonObject' },
    ]);
  });

  it('counts characters as the column does: code points, variation selectors included', async () => {
    await expect(validateInput(ApplicationInput, { name: '😀'.repeat(256) })).resolves.toBeInstanceOf(ApplicationInput);
    await expect(validateInput(ApplicationInput, { name: '\ud800'.repeat(256) })).resolves.toBeInstanceOf(ApplicationInput);
    for (const name of ['😀'.repeat(257), `n${'\uFE0F'.repeat(256)}`, '']) {
      expect((await refusal(ApplicationInput, { name })).fields).toEqual([{ path: ['name'], message: 'name must be a string of 1 to 256 characters', type: 'isText' }]);
    }
  });

  it('takes rates, retention periods and dates only within their ranges', async () => {
    const field = async (dto: new () => object, input: object) => (await refusal(dto, input)).fields.map(({ path, message }) => `${path.join('.')}: ${message}`);
    expect(await field(ApplicationInput, { name: 'x', rateLimit: 65_536 })).toEqual(['rateLimit: rateLimit must be a whole number from 1 to 65535']);
    expect(await field(MessageInput, { eventType: 'a', payload: {}, payloadRetentionPeriod: 91 })).toEqual([
      'payloadRetentionPeriod: payloadRetentionPeriod must be a whole number from 1 to 90',
    ]);
    expect(await field(MessageInput, { eventType: 'a', payload: {}, deliverAt: new Date(Date.UTC(10_000, 0, 1)) })).toEqual([
      'deliverAt: deliverAt must be an ISO 8601 date and time from 1970 to 9999',
    ]);
    expect(await field(MessageInput, { eventType: 'a', payload: {}, deliverAt: 'tomorrow' })).toEqual(['deliverAt: deliverAt must be an ISO 8601 date and time from 1970 to 9999']);
    expect(await field(MessageInput, { eventType: 'a', payload: {}, deliverAt: new Date(Date.now() + 91 * 24 * 3600_000) })).toEqual([
      'deliverAt: deliverAt must be at most 90 days ahead',
    ]);
    const soon = new Date(Date.now() + 60_000);
    expect((await validateInput(MessageInput, { eventType: 'a', payload: {}, deliverAt: soon.toISOString() })).deliverAt).toEqual(soon);
  });
});

describe('signatureSchemeProblem', () => {
  it('accepts the two schemes, with header names or none', () => {
    expect(signatureSchemeProblem({ type: 'standard-webhooks' })).toBeNull();
    expect(signatureSchemeProblem({ type: 'body-hmac' })).toBeNull();
    expect(signatureSchemeProblem({ type: 'body-hmac', header: 'X-Signature', accountHeader: null })).toBeNull();
  });

  it('names what is wrong', () => {
    expect(signatureSchemeProblem('body-hmac')).toMatch(/^must be \{ type: 'standard-webhooks' \}/);
    expect(signatureSchemeProblem({ type: 'hmac' })).toBe("type must be 'standard-webhooks' or 'body-hmac'");
    expect(signatureSchemeProblem({ type: 'body-hmac', secret: 'x' })).toBe('has unknown fields: secret');
    expect(signatureSchemeProblem({ type: 'standard-webhooks', header: 'X-Sig' })).toBe('standard-webhooks takes no header names');
    expect(signatureSchemeProblem({ type: 'body-hmac', header: 'bad header' })).toBe('header: "bad header" is not a valid header name');
    expect(signatureSchemeProblem({ type: 'body-hmac', accountHeader: 'svix-id' })).toMatch(/^accountHeader: "svix-id" is reserved/);
    expect(signatureSchemeProblem({ type: 'body-hmac', header: null })).toBe('header must be a header name');
  });
});
