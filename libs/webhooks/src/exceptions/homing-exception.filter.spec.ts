import type { ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  ForbiddenDestinationError,
  type HomingError,
  LimitReachedError,
  NotFoundError,
  PayloadPurgedError,
  PayloadTooLargeError,
  ValidationError,
} from './homing-errors.js';
import { HomingExceptionFilter } from './homing-exception.filter.js';

/** An HTTP ArgumentsHost around an Express-like response whose calls are recorded. */
function httpHost() {
  const json = vi.fn();
  const response = { status: vi.fn((_code: number) => ({ json })), json };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  return { host, response };
}

/** The status and body the filter answers an error with. */
function answer(error: HomingError) {
  const { host, response } = httpHost();
  new HomingExceptionFilter().catch(error, host);
  return { status: response.status.mock.calls[0]?.[0], body: response.json.mock.calls[0]?.[0] };
}

describe('HomingExceptionFilter', () => {
  it('answers each error with its plain HTTP status and { code, message }', () => {
    expect(answer(new NotFoundError('endpoint', 'ep_1'))).toEqual({ status: 404, body: { code: 'not_found', message: 'endpoint "ep_1" not found' } });
    expect(answer(new ConflictError('a message with eventId "e" already exists in this application'))).toEqual({
      status: 409,
      body: { code: 'conflict', message: 'a message with eventId "e" already exists in this application' },
    });
    expect(answer(new PayloadTooLargeError(11, 10))).toEqual({
      status: 413,
      body: { code: 'payload_too_large', message: 'the payload is 11 bytes; the limit is 10 bytes (maxPayloadBytes / HOMING_MAX_PAYLOAD)' },
    });
    expect(answer(new PayloadPurgedError('msg_1', new Date(0))).status).toBe(410);
    expect(answer(new LimitReachedError('wait')).status).toBe(400);
    expect(answer(new ForbiddenDestinationError('10.0.0.5 is a private address', { kind: 'private' }))).toEqual({
      status: 422,
      body: { code: 'forbidden_destination', message: 'refused: 10.0.0.5 is a private address; no request was made' },
    });
  });

  it('lists the fields at fault of a ValidationError, their paths as given to the library', () => {
    const fields = [
      { path: ['url'], message: 'url must be an http or https URL', type: 'isUrl' },
      { path: ['filterTypes'], message: "each entry of filterTypes must be an event type name, optionally ending in '.*'", type: 'isEventTypePattern' },
    ];
    expect(answer(new ValidationError(fields))).toEqual({
      status: 422,
      body: { code: 'validation', message: `${fields[0].message}; ${fields[1].message}`, fields },
    });
  });

  it('answers through the HTTP adapter when Nest injects one (any platform)', () => {
    const reply = vi.fn();
    const { host, response } = httpHost();
    new HomingExceptionFilter({ httpAdapter: { reply } } as unknown as HttpAdapterHost).catch(new NotFoundError('message', 'msg_1'), host);
    expect(reply).toHaveBeenCalledWith(response, { code: 'not_found', message: 'message "msg_1" not found' }, 404);
    expect(response.status).not.toHaveBeenCalled();
  });
});
