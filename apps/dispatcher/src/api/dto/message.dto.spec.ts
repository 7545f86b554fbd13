import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageInput } from '@homing/webhooks';
import { validateInput } from '@homing/webhooks/internal';
import { SvixValidationPipe } from '../validation/svix-validation.pipe.js';
import { MessageIn, messageInput } from './message.dto.js';

const DAY_MS = 24 * 3600_000;
const long = (length: number) => 'x'.repeat(length);

/** Per field, values its rules accept (undefined: the field left out) and values they refuse. */
const FIELDS: Record<string, { valid: unknown[]; invalid: unknown[] }> = {
  eventType: { valid: ['order.paid', 'a-b_c.d'], invalid: ['order paid', '', long(300), 5, null, undefined] },
  payload: { valid: [{}, { id: 1, nested: { list: [1, 'a'] } }], invalid: ['text', [], null, undefined] },
  eventId: { valid: ['evt_1', long(256), null, undefined], invalid: ['evt 1', '', long(257), 5] },
  channels: { valid: [['eu'], [], Array.from({ length: 10 }, (_, i) => `c${i}`), null, undefined], invalid: [Array.from({ length: 11 }, (_, i) => `c${i}`), [''], [long(129)], [5], 'eu'] },
  tags: { valid: [['order_1'], [long(128)], null, undefined], invalid: [Array.from({ length: 11 }, (_, i) => `t${i}`), ['']] },
  requestId: { valid: ['req_1', long(256), null, undefined], invalid: ['', long(257), 5] },
  deliverAt: {
    valid: [new Date(Date.now() + DAY_MS).toISOString(), new Date(Date.now() - DAY_MS).toISOString(), null, undefined],
    invalid: [new Date(Date.now() + 91 * DAY_MS).toISOString(), '+010000-01-01T00:00:00Z', 'tomorrow', 5],
  },
  payloadRetentionPeriod: { valid: [1, 90, null, undefined], invalid: [0, 91, 1.5, '5'] },
  transformationsParams: {
    valid: [
      { rawPayload: '{"n":12345678901234567890}' },
      { rawPayload: '<a/>', headers: { 'content-type': 'application/xml' } },
      { rawPayload: 'plain', headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
      { headers: { 'content-type': 'text/plain' } },
      { rawPayload: `${'['.repeat(128)}${']'.repeat(128)}` },
      null,
      undefined,
    ],
    invalid: [
      { rawPayload: 'not json' },
      { rawPayload: 5 },
      { headers: { 'content-type': 'not a type' } },
      { headers: { 'content-type': 5 } },
      { rawPayload: `${'['.repeat(129)}${']'.repeat(129)}` },
    ],
  },
};

/** Bodies mostly valid field by field, so that many pass the pipe, each field sometimes refused. */
const bodies = fc.record(
  Object.fromEntries(
    Object.entries(FIELDS).map(([field, { valid, invalid }]) => [field, fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 6 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 })]),
  ),
);

/** The body as the API's pipe reads it: the DTO, or undefined when it answers 422. */
async function piped(body: Record<string, unknown>): Promise<MessageIn | undefined> {
  const plain = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
  return new SvixValidationPipe().transform(plain, { type: 'body', metatype: MessageIn }).then(
    (dto) => dto as MessageIn,
    () => undefined,
  );
}

describe('MessageIn', () => {
  // The API sends what its pipe accepts without the library validating it again: that is sound only while
  // every body the pipe accepts makes an input the library's own rules (MessageInput) accept as well.
  it('accepts only bodies whose library input MessageInput accepts too', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const dto = await piped(body);
        if (!dto) return;
        accepted += 1;
        await expect(validateInput(MessageInput, messageInput(dto, dto.transformationsParams?.rawPayload ?? JSON.stringify(dto.payload)))).resolves.toBeDefined();
      }),
      { seed: 18, numRuns: 2000 },
    );
    // Not a property that holds by refusing everything.
    expect(accepted).toBeGreaterThan(200);
  });

  it('refuses what MessageInput refuses, naming the field', async () => {
    for (const [field, value] of [
      ['eventType', 'order paid'],
      ['eventId', 'evt 1'],
      ['channels', ['']],
      ['tags', Array.from({ length: 11 }, (_, i) => `t${i}`)],
      ['requestId', ''],
      ['deliverAt', new Date(Date.now() + 91 * DAY_MS).toISOString()],
      ['payloadRetentionPeriod', 91],
    ] as const) {
      const answer = new SvixValidationPipe().transform({ eventType: 'order.paid', payload: {}, [field]: value }, { type: 'body', metatype: MessageIn });
      await expect(answer, field).rejects.toMatchObject({ response: { detail: [expect.objectContaining({ loc: ['body', field] })] } });
    }
  });
});
