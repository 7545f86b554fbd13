import { describe, expect, it } from 'vitest';
import { WithContentQuery } from '../dto/common.dto.js';
import { MessageIn } from '../dto/message.dto.js';
import { SvixValidationPipe } from './svix-validation.pipe.js';

describe('SvixValidationPipe', () => {
  const query = (metatype: new () => object) => ({ type: 'query' as const, metatype });

  it('gives each request its own instance of the DTO, an empty query string as much as any', async () => {
    const pipe = new SvixValidationPipe();
    const first = await pipe.transform({}, query(WithContentQuery));
    const second = await pipe.transform({}, query(WithContentQuery));
    expect(first).toBeInstanceOf(WithContentQuery);
    expect(second).toBeInstanceOf(WithContentQuery);
    expect(second).not.toBe(first);
  });

  it('still validates a query string with fields once an empty one has passed', async () => {
    const pipe = new SvixValidationPipe();
    await pipe.transform({}, query(WithContentQuery));
    await expect(pipe.transform({ with_content: 'false' }, query(WithContentQuery))).resolves.toEqual({ with_content: false });
    await expect(pipe.transform({ with_content: 'maybe' }, query(WithContentQuery))).rejects.toMatchObject({
      response: { detail: [{ loc: ['query', 'with_content'], msg: 'with_content must be true or false', type: 'isBoolean' }] },
    });
  });

  it('refuses an empty input its DTO refuses every time, naming the fields', async () => {
    const pipe = new SvixValidationPipe();
    for (let i = 0; i < 2; i += 1) {
      await expect(pipe.transform({}, { type: 'body', metatype: MessageIn })).rejects.toMatchObject({
        response: { detail: expect.arrayContaining([expect.objectContaining({ loc: ['body', 'eventType'] }), expect.objectContaining({ loc: ['body', 'payload'] })]) },
      });
    }
  });
});
