import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ForbiddenDestinationError, HomingError, type HomingErrorCode, type InvalidField, type RefusedDestination, ValidationError } from '@homing/webhooks';
import { isDatabaseUnavailable } from '@homing/webhooks/internal';
import type { AuthenticatedRequest } from '../auth/principal.js';

/** Svix's `code` for each status, where the exception does not bring its own. */
const CODES: Record<number, string> = {
  400: 'generic_error',
  401: 'authentication_failed',
  403: 'insufficient access',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'server_error',
  503: 'service_unavailable',
};

/** One entry of a 422's `detail`: `loc` starts with where the value was (`body`, `query`, `header`). */
export interface FieldError {
  loc: string[];
  msg: string;
  type: string;
}

export type SvixErrorBody = { code: string; detail: string } | { detail: FieldError[] };

/** Where a request carries the input the library checked: a GET has no body, and its input is its query string. */
export type InputLocation = 'body' | 'query';

/** Who reads the answer: the operator (its token), or an endpoint's owner in the portal, who is told what to do, not how the network is configured. */
export type Reader = 'operator' | 'customer';

/** The status of each library error (a Record, so a new code cannot be left out); its body is Svix's for that status. */
const LIBRARY_STATUS: Record<HomingErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  validation: 422,
  payload_too_large: 413,
  payload_purged: 410,
  limit_reached: 400,
  forbidden_destination: 422,
};

/** The library's fields as Svix's `{ loc, msg, type }`, under the request's `location`. */
export function svixFieldErrors(fields: InvalidField[], location: string): FieldError[] {
  return fields.map(({ path, message, type }) => ({ loc: [location, ...path], msg: message, type }));
}

/**
 * The `type` of a 422 given for input that got past validation and was refused further in: by the
 * database (a value its column cannot hold) or by the stack (nested too deep to walk). Validation is
 * meant to refuse all of it first; these are a last line, logged when they happen.
 */
export const UNVALIDATED_INPUT = { database: 'value_error.database', nesting: 'value_error.nesting' } as const;
/**
 * Refusals of a value its column cannot hold, by errno (mysql2 names MariaDB-only codes after MySQL's): out of range (1264),
 * wrong datetime (1292), wrong string (1366), too long (1406), MariaDB's JSON check (4025), MySQL's (3819, 3140).
 */
const VALUE_REFUSALS = new Set([1264, 1292, 1366, 1406, 4025, 3819, 3140]);

/** Every error leaves as Svix's body: `{ code, detail }`, or `{ detail: [{ loc, msg, type }] }` for a 422. */
@Catch()
export class SvixExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HomingApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const principal = request.principal;
    const reader = principal?.kind === 'portal' ? 'customer' : 'operator';
    const { status, body } = svixError(exception, request.method === 'GET' || request.method === 'HEAD' ? 'query' : 'body', reader);
    // The customer was told what to do; why, in the network's terms, is the operator's (e.g. a range to allow).
    if (exception instanceof ForbiddenDestinationError && principal?.kind === 'portal') {
      this.logger.warn(`endpoint URL refused to a portal user of application ${principal.appId}: ${exception.reason}`);
    }
    // An HttpException or a library error is an answer the code chose; an outage is worth a line; input validation let through is worth one too; anything else is a fault worth a stack trace.
    const chosen = exception instanceof HttpException || exception instanceof HomingError;
    if (status === HttpStatus.SERVICE_UNAVAILABLE && !chosen) this.logger.warn(`database unreachable: ${(exception as Error).message}`);
    else if (status === HttpStatus.UNPROCESSABLE_ENTITY && !chosen) this.logger.warn(`input refused past validation: ${(exception as Error).message}`);
    else if (!chosen) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}

export function svixError(exception: unknown, location: InputLocation = 'body', reader: Reader = 'operator'): { status: number; body: SvixErrorBody } {
  if (exception instanceof HomingError) return libraryError(exception, location, reader);
  if (isDatabaseUnavailable(exception)) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { code: CODES[503], detail: 'the database is unreachable; nothing was changed, retry later' } };
  }
  const refused = unvalidatedInput(exception);
  if (refused) return { status: HttpStatus.UNPROCESSABLE_ENTITY, body: { detail: [refused] } };
  if (!(exception instanceof HttpException)) {
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: CODES[500], detail: 'Internal Server Error' } };
  }
  const status = exception.getStatus();
  const response = exception.getResponse() as string | { code?: unknown; detail?: unknown; message?: unknown };
  const detail = typeof response === 'string' ? response : (response.detail ?? response.message ?? exception.message);
  if (status === HttpStatus.UNPROCESSABLE_ENTITY) {
    return { status, body: { detail: Array.isArray(detail) && detail.every(isFieldError) ? detail : [{ loc: ['body'], msg: text(detail), type: 'value_error' }] } };
  }
  const code = typeof response === 'object' && typeof response.code === 'string' ? response.code : (CODES[status] ?? 'generic_error');
  return { status, body: { code, detail: text(detail) } };
}

function libraryError(error: HomingError, location: InputLocation, reader: Reader): { status: number; body: SvixErrorBody } {
  const status = LIBRARY_STATUS[error.code];
  if (error instanceof ValidationError) return { status, body: { detail: svixFieldErrors(error.fields, location) } };
  if (error instanceof ForbiddenDestinationError) {
    const msg = reader === 'customer' ? refusedForCustomer(error.destination) : `url is refused: ${error.reason}`;
    return { status, body: { detail: [{ loc: [location, 'url'], msg, type: 'value_error.url.forbidden' }] } };
  }
  return { status, body: { code: error.code, detail: error.message } };
}

/** Where a refused address is, in a customer's words. */
const REFUSED_PLACES: Record<Exclude<RefusedDestination['kind'], 'scheme'>, string> = {
  local: 'a local address (like localhost)',
  private: 'a private network address',
  reserved: 'an address outside the public internet',
};

/** A refused endpoint URL as its owner can act on it: what is wrong with it, and what to use instead. */
function refusedForCustomer({ kind, host }: RefusedDestination): string {
  if (kind === 'scheme') return 'Only https:// URLs are accepted here. Use an https URL.';
  const where = host === undefined ? 'This URL points to' : `This URL's host ${host} resolves to`;
  return `${where} ${REFUSED_PLACES[kind]}; the webhook can't reach it. Use a public URL.`;
}

/** The field detail for an error that input caused past validation, or null for any other error. */
function unvalidatedInput(exception: unknown): FieldError | null {
  if (exception instanceof RangeError && /call stack/i.test(exception.message)) {
    return { loc: ['body'], msg: 'the request is nested too deeply to be read', type: UNVALIDATED_INPUT.nesting };
  }
  const error = exception as { errno?: unknown; driverError?: { errno?: unknown; sqlMessage?: unknown }; sqlMessage?: unknown } | null;
  const errno = error?.driverError?.errno ?? error?.errno;
  if (typeof errno !== 'number' || !VALUE_REFUSALS.has(errno)) return null;
  const message = String(error?.driverError?.sqlMessage ?? error?.sqlMessage ?? '');
  // "... for column 'x' at row 1", "... for column `db`.`table`.`x` at row 1", "CONSTRAINT `table.x` failed ...".
  const column = /column [`']?(?:[^`']*[`']\.[`'])*([^`']+)[`']/.exec(message)?.[1] ?? /CONSTRAINT `(?:[^`]*\.)?([^`.]+)`/.exec(message)?.[1];
  return { loc: column ? ['body', column] : ['body'], msg: `${column ?? 'a value'} does not fit what the database keeps`, type: UNVALIDATED_INPUT.database };
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && Array.isArray((value as FieldError).loc) && typeof (value as FieldError).msg === 'string';
}

function text(detail: unknown): string {
  return Array.isArray(detail) ? detail.map(String).join('; ') : String(detail);
}
