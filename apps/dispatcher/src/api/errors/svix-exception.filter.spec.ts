import { BadRequestException, HttpException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { svixError } from './svix-exception.filter.js';

describe('svixError', () => {
  it("gives Svix's { code, detail } with the code for the status", () => {
    expect(svixError(new NotFoundException('endpoint "ep_1" not found'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'endpoint "ep_1" not found' } });
    // What the JSON body parser raises for an oversized or malformed body.
    expect(svixError(new HttpException('request entity too large', 413))).toEqual({ status: 413, body: { code: 'payload_too_large', detail: 'request entity too large' } });
    expect(svixError(new BadRequestException('Unexpected token } in JSON'))).toEqual({ status: 400, body: { code: 'generic_error', detail: 'Unexpected token } in JSON' } });
  });

  it('keeps a code the exception brings', () => {
    expect(svixError(new BadRequestException({ code: 'limit_reached', detail: 'too many rotations' }))).toEqual({
      status: 400,
      body: { code: 'limit_reached', detail: 'too many rotations' },
    });
  });

  it('gives a 422 as a list of { loc, msg, type }, whatever the exception carried', () => {
    const detail = [{ loc: ['body', 'url'], msg: 'url must be an http or https URL', type: 'isUrl' }];
    expect(svixError(new UnprocessableEntityException({ code: 'validation', detail }))).toEqual({ status: 422, body: { detail } });
    expect(svixError(new UnprocessableEntityException('event type "a" has no example payload'))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body'], msg: 'event type "a" has no example payload', type: 'value_error' }] },
    });
  });

  it('answers anything unexpected with a 500 that reveals nothing', () => {
    expect(svixError(new TypeError("Cannot read properties of undefined (reading 'secret')"))).toEqual({ status: 500, body: { code: 'server_error', detail: 'Internal Server Error' } });
  });

  it('answers an unreachable database with a 503 that says so, and nothing of its address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED' });
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
    for (const error of [refused, lost]) {
      expect(svixError(error)).toEqual({ status: 503, body: { code: 'service_unavailable', detail: 'the database is unreachable; nothing was changed, retry later' } });
    }
  });
});
