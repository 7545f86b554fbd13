import { BadRequestException, HttpException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { svixError, UNVALIDATED_INPUT } from './svix-exception.filter.js';

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

  it('answers input the database or the stack refused past validation with a 422, as a last line', () => {
    // As TypeORM wraps mysql2's errors: the driver's errno and message on driverError.
    const refusal = (errno: number, sqlMessage: string) => Object.assign(new Error(sqlMessage), { driverError: { errno, sqlMessage } });
    const database = (loc: string[], msg: string) => ({ status: 422, body: { detail: [{ loc, msg, type: UNVALIDATED_INPUT.database }] } });
    expect(svixError(refusal(1406, "Data too long for column 'featureFlag' at row 1"))).toEqual(database(['body', 'featureFlag'], 'featureFlag does not fit what the database keeps'));
    expect(svixError(refusal(1264, "Out of range value for column 'rateLimit' at row 1"))).toEqual(database(['body', 'rateLimit'], 'rateLimit does not fit what the database keeps'));
    expect(svixError(refusal(1292, "Incorrect datetime value: '10000-01-01 00:00:00.000' for column `homing`.`homing_messages`.`deliverAt` at row 1"))).toEqual(
      database(['body', 'deliverAt'], 'deliverAt does not fit what the database keeps'),
    );
    expect(svixError(refusal(4025, 'CONSTRAINT `homing_event_types.schemas` failed for `homing`.`homing_event_types`'))).toEqual(
      database(['body', 'schemas'], 'schemas does not fit what the database keeps'),
    );
    expect(svixError(new RangeError('Maximum call stack size exceeded'))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body'], msg: 'the request is nested too deeply to be read', type: UNVALIDATED_INPUT.nesting }] },
    });
    expect(svixError(new RangeError('Invalid array length')).status).toBe(500);
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
