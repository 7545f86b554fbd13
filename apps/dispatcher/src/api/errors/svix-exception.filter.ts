import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { type FieldError, isDatabaseUnavailable } from '@homing/webhooks';

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

export type SvixErrorBody = { code: string; detail: string } | { detail: FieldError[] };

/** Every error leaves as Svix's body: `{ code, detail }`, or `{ detail: [{ loc, msg, type }] }` for a 422. */
@Catch()
export class SvixExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HomingApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = svixError(exception);
    // An HttpException is an answer the code chose; an outage is worth a line; anything else is a fault worth a stack trace.
    if (status === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof HttpException)) this.logger.warn(`database unreachable: ${(exception as Error).message}`);
    else if (!(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}

export function svixError(exception: unknown): { status: number; body: SvixErrorBody } {
  if (isDatabaseUnavailable(exception)) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { code: CODES[503], detail: 'the database is unreachable; nothing was changed, retry later' } };
  }
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

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && Array.isArray((value as FieldError).loc) && typeof (value as FieldError).msg === 'string';
}

function text(detail: unknown): string {
  return Array.isArray(detail) ? detail.map(String).join('; ') : String(detail);
}
