import { type ArgumentsHost, BadRequestException, HttpException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import {
  ConflictError,
  ForbiddenDestinationError,
  LimitReachedError,
  NotFoundError,
  PayloadPurgedError,
  PayloadTooLargeError,
  ValidationError,
} from '@homing/webhooks';
import { describe, expect, it, vi } from 'vitest';
import { SvixExceptionFilter, svixError, UNVALIDATED_INPUT } from './svix-exception.filter.js';

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

  it("answers the library's errors as the API always has: their status and Svix's body", () => {
    expect(svixError(new NotFoundError('endpoint', 'ep_1'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'endpoint "ep_1" not found' } });
    expect(svixError(new ConflictError('an application with uid "a" already exists'))).toEqual({
      status: 409,
      body: { code: 'conflict', detail: 'an application with uid "a" already exists' },
    });
    expect(svixError(new PayloadTooLargeError(2_000_000, 1_048_576))).toEqual({
      status: 413,
      body: { code: 'payload_too_large', detail: 'the payload is 2000000 bytes; the limit is 1048576 bytes (maxPayloadBytes / HOMING_MAX_PAYLOAD)' },
    });
    expect(svixError(new PayloadPurgedError('msg_1', new Date('2025-01-02T03:04:05.000Z')))).toEqual({
      status: 410,
      body: { code: 'payload_purged', detail: 'the payload of message "msg_1" was purged on 2025-01-02T03:04:05.000Z (past its retention period); it cannot be sent again' },
    });
    expect(svixError(new LimitReachedError('too many rotations'))).toEqual({ status: 400, body: { code: 'limit_reached', detail: 'too many rotations' } });
  });

  it("gives a library ValidationError's fields under the request's location: the body, or a GET's query", () => {
    const error = new ValidationError([
      { path: ['headers', 'X-Trace'], message: 'headers: the value of "X-Trace" must be a string', type: 'isHeaderMap' },
      { path: [], message: 'expected an object', type: 'type_error' },
    ]);
    expect(svixError(error)).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'headers', 'X-Trace'], msg: 'headers: the value of "X-Trace" must be a string', type: 'isHeaderMap' },
          { loc: ['body'], msg: 'expected an object', type: 'type_error' },
        ],
      },
    });
    const iterator = new ValidationError([{ path: ['iterator'], message: 'iterator is not one this API returned', type: 'value_error' }]);
    expect(svixError(iterator, 'query')).toEqual({ status: 422, body: { detail: [{ loc: ['query', 'iterator'], msg: 'iterator is not one this API returned', type: 'value_error' }] } });
  });

  it('answers a forbidden destination with a 422 on url that names the reason to the operator, and says what to do to a customer', () => {
    const refused = new ForbiddenDestinationError('10.0.0.5 is a private address (10.0.0.0/8), not in the allowed CIDRs', { kind: 'private' });
    expect(svixError(refused)).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'url'], msg: 'url is refused: 10.0.0.5 is a private address (10.0.0.0/8), not in the allowed CIDRs', type: 'value_error.url.forbidden' }] },
    });
    const customer = (error: ForbiddenDestinationError) => svixError(error, 'body', 'customer');
    expect(customer(refused)).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'url'], msg: "This URL points to a private network address; the webhook can't reach it. Use a public URL.", type: 'value_error.url.forbidden' }] },
    });
    const messageOf = (error: ForbiddenDestinationError) => (customer(error).body.detail as { msg: string }[])[0].msg;
    expect(messageOf(new ForbiddenDestinationError('host "hooks.internal" resolves to a forbidden address: ...', { kind: 'local', host: 'hooks.internal' }))).toBe(
      "This URL's host hooks.internal resolves to a local address (like localhost); the webhook can't reach it. Use a public URL.",
    );
    expect(messageOf(new ForbiddenDestinationError('192.0.2.1 is a documentation address', { kind: 'reserved' }))).toMatch(/^This URL points to an address outside the public internet;/);
    expect(messageOf(new ForbiddenDestinationError('http: URLs are refused (httpsOnly is set)', { kind: 'scheme' }))).toBe('Only https:// URLs are accepted here. Use an https URL.');
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

describe('SvixExceptionFilter', () => {
  /** The status and body the filter answers to a request with this method. */
  function answer(method: string, exception: unknown) {
    const json = vi.fn();
    const status = vi.fn((_code: number) => ({ json }));
    const host = { switchToHttp: () => ({ getRequest: () => ({ method }), getResponse: () => ({ status }) }) } as unknown as ArgumentsHost;
    new SvixExceptionFilter().catch(exception, host);
    return { status: status.mock.calls[0]?.[0], body: json.mock.calls[0]?.[0] };
  }

  it("places a library ValidationError's fields in a GET's query, and in the body of any other request", () => {
    const limit = new ValidationError([{ path: ['limit'], message: 'limit must be a whole number from 1 to 250', type: 'value_error' }]);
    expect(answer('GET', limit)).toEqual({ status: 422, body: { detail: [{ loc: ['query', 'limit'], msg: 'limit must be a whole number from 1 to 250', type: 'value_error' }] } });
    const payload = new ValidationError([{ path: ['payload'], message: 'payload given as a string must be JSON text', type: 'value_error.json' }]);
    expect(answer('POST', payload)).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'payload'], msg: 'payload given as a string must be JSON text', type: 'value_error.json' }] } });
  });
});
