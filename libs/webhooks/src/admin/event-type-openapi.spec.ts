import { describe, expect, it } from 'vitest';
import type { EventTypeEntity } from '../entities/index.js';
import { ValidationError } from '../exceptions/homing-errors.js';
import { eventTypesOfSpec, openApiOfEventTypes, readSpec } from './event-type-openapi.js';

const webhook = (post: object) => ({ post });
const pathsOf = async (document: object) => {
  try {
    await eventTypesOfSpec(document as Record<string, unknown>, 'spec');
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((field) => field.path);
    throw error;
  }
  throw new Error('expected the document to be refused');
};

describe('eventTypesOfSpec', () => {
  it('takes webhooks over x-webhooks for a name in both, and keeps data keywords as written', async () => {
    const types = await eventTypesOfSpec(
      {
        'x-webhooks': { 'a.b': webhook({ description: 'old' }), 'c.d': webhook({ summary: 'from 3.0' }) },
        webhooks: {
          'a.b': webhook({
            description: 'new',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/A', description: 'beside the ref', default: { $ref: 'data' } } } } },
          }),
        },
        components: { schemas: { A: { type: 'object', description: 'A' } } },
      },
      'spec',
    );
    expect(types).toEqual([
      { name: 'a.b', description: 'new', schemas: { '1': { type: 'object', description: 'beside the ref', default: { $ref: 'data' } } }, deprecated: false, groupName: null, featureFlags: null },
      { name: 'c.d', description: 'from 3.0', schemas: null, deprecated: false, groupName: null, featureFlags: null },
    ]);
  });

  it('refuses what it cannot make a type of, naming where', async () => {
    expect(await pathsOf({ webhooks: { 'a b': webhook({}) } })).toEqual([['spec', 'webhooks', 'a b']]);
    expect(await pathsOf({ webhooks: { 'a.b': webhook({ requestBody: { content: { 'application/json': { schema: { $ref: 'https://example.com/s.json' } } } } }) } })).toEqual([
      ['spec', 'webhooks', 'a.b', 'post', 'requestBody', 'content', 'application/json', 'schema'],
    ]);
    expect(await pathsOf({ webhooks: { 'a.b': webhook({ 'x-svix-feature-flags': 'beta' }) } })).toEqual([['spec', 'webhooks', 'a.b', 'post', 'x-svix-feature-flags']]);
    expect(await pathsOf({ webhooks: { 'a.b': webhook({ deprecated: 'yes' }) } })).toEqual([['spec', 'webhooks', 'a.b', 'post', 'deprecated']]);
    expect(await pathsOf({ webhooks: [] })).toEqual([['spec', 'webhooks']]);
  });

  it('takes "__proto__" as the name it is, not as a prototype', async () => {
    expect((await eventTypesOfSpec({ webhooks: JSON.parse('{"__proto__": {"post": {"description": "odd"}}}') }, 'spec')).map((type) => [type.name, type.description])).toEqual([['__proto__', 'odd']]);
  });

  it('stops inlining references that multiply without end', async () => {
    const schemas: Record<string, object> = { L0: { type: 'string' } };
    // Four times as many values a level, while nesting stays within what a schema may.
    for (let level = 1; level <= 12; level += 1) schemas[`L${level}`] = { anyOf: Array(4).fill({ $ref: `#/components/schemas/L${level - 1}` }) };
    const document = { webhooks: { 'a.b': webhook({ requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/L12' } } } } }) }, components: { schemas } };
    expect((await pathsOf(document))[0]).toEqual(['spec']);
  });
});

describe('readSpec', () => {
  it('reads JSON or YAML text, refusing aliases and anything but a document', () => {
    expect(readSpec(undefined, '{"webhooks": {}}')).toEqual({ document: { webhooks: {} }, field: 'specRaw' });
    expect(readSpec(null, 'webhooks:\n  a.b:\n    post: {}\n')).toEqual({ document: { webhooks: { 'a.b': { post: {} } } }, field: 'specRaw' });
    for (const text of ['a: &x 1\nb: *x', '- 1', 'a: [', '']) expect(() => readSpec(null, text)).toThrow(ValidationError);
  });
});

describe('openApiOfEventTypes', () => {
  it('writes a document that reads back to the same types', async () => {
    const stamps = { archived: false, featureFlag: null, retrySchedule: null, createdAt: new Date(), updatedAt: new Date() };
    const types: EventTypeEntity[] = [
      { name: 'a.b', description: 'A', schemas: { '1': { type: 'object', examples: [{ n: 1 }] } }, deprecated: true, groupName: 'g', featureFlags: ['f'], ...stamps },
      { name: 'c.d', description: '', schemas: null, deprecated: false, groupName: null, featureFlags: null, ...stamps },
    ];
    const document = openApiOfEventTypes(types);
    expect(document).toMatchObject({ openapi: '3.1.0', webhooks: { 'a.b': { post: { responses: { '2XX': expect.any(Object) } } } } });
    expect(await eventTypesOfSpec(document, 'spec')).toEqual(types.map(({ name, description, schemas, deprecated, groupName, featureFlags }) => ({ name, description, schemas, deprecated, groupName, featureFlags })));
  });
});
