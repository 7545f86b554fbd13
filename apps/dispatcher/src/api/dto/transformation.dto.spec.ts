import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointTransformationInput, TransformationSimulateInput } from '@homing/webhooks';
import { validateInput } from '@homing/webhooks/internal';
import { SvixValidationPipe } from '../validation/svix-validation.pipe.js';
import { EndpointTransformationPatch, TransformationSimulateIn } from './transformation.dto.js';

const CODE = 'function handler(webhook) { return webhook; }';
const long = (length: number, unit = 'x') => unit.repeat(length);

/** Values meant to break a field: wrong types, edges of lengths, odd unicode, prototype keys, deep nesting. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    long(9),
    long(10),
    long(51_200),
    long(51_201),
    long(25_600, '😀'),
    long(51_201, '\uFE0F'),
    '\ud800',
    '\u0000function handler(){}',
    null,
    true,
    0,
    -1,
    2 ** 53,
    Number.MAX_VALUE,
    [],
    [CODE],
    {},
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__": {"x": "1"}, "constructor": "c"}') as unknown,
    Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, 'x'])),
    { ok: long(4097) },
    { 'not a name': 'x' },
    { ok: 5 },
  ),
  fc.integer({ min: 100, max: 3_000 }).map((levels) => JSON.parse(`${'{"a":'.repeat(levels)}{}${'}'.repeat(levels)}`) as unknown),
  fc.dictionary(fc.string({ maxLength: 70 }), fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null), fc.integer()), { maxKeys: 4 }),
);

interface Case {
  dto: new () => object;
  input: new () => object;
  valid: Record<string, unknown>;
  fields: string[];
}

const CASES: Record<string, Case> = {
  EndpointTransformationPatch: { dto: EndpointTransformationPatch, input: EndpointTransformationInput, valid: { code: CODE, enabled: true, variables: { region: 'eu' } }, fields: ['code', 'enabled', 'variables'] },
  TransformationSimulateIn: {
    dto: TransformationSimulateIn,
    input: TransformationSimulateInput,
    valid: { code: CODE, eventType: 'order.paid', payload: { id: 1 }, channels: ['eu'], variables: { region: 'eu' } },
    fields: ['code', 'eventType', 'payload', 'channels', 'variables'],
  },
};

/** The pipe's answer to a body: the DTO, or the 422's details. */
async function piped(body: object, dto: new () => object): Promise<{ dto?: object; detail?: { loc: string[] }[] }> {
  try {
    return { dto: (await new SvixValidationPipe().transform(body, { type: 'body', metatype: dto })) as object };
  } catch (error) {
    const response = (error as { getStatus?: () => number; getResponse?: () => { detail: { loc: string[] }[] } }) ?? {};
    expect(response.getStatus?.(), String(error)).toBe(422);
    return { detail: response.getResponse!().detail };
  }
}

describe.each(Object.entries(CASES))('%s', (_name, { dto, input, valid, fields }) => {
  it('takes a valid body, and its library input takes it too', async () => {
    const answer = await piped(valid, dto);
    expect(answer.detail).toBeUndefined();
    await expect(validateInput(input, answer.dto)).resolves.toBeDefined();
  });

  it.each(fields)('answers hostile values of %s with a 422 naming it, or takes them only where the library does too', async (field) => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const body = { ...valid };
        Object.defineProperty(body, field, { value, enumerable: true, configurable: true, writable: true });
        const answer = await piped(body, dto);
        if (answer.detail) {
          refused += 1;
          expect(answer.detail.map(({ loc }) => loc.slice(0, 2).join('.'))).toContain(`body.${field}`);
        } else {
          await expect(validateInput(input, answer.dto)).resolves.toBeDefined();
        }
      }),
      { seed: 19, numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
