import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HomingError, type HomingErrorCode, type InvalidField, ValidationError } from './homing-errors.js';

/** The HTTP status each error answers with; a Record, so a new code cannot be left out. */
const STATUS: Record<HomingErrorCode, HttpStatus> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  validation: HttpStatus.UNPROCESSABLE_ENTITY,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  payload_purged: HttpStatus.GONE,
  limit_reached: HttpStatus.BAD_REQUEST,
  forbidden_destination: HttpStatus.UNPROCESSABLE_ENTITY,
};

export interface HomingErrorBody {
  code: HomingErrorCode;
  message: string;
  fields?: InvalidField[];
}

/** The HTTP answer to an error of the library: its status and a `{ code, message, fields? }` body. */
export function homingErrorResponse(error: HomingError): { status: HttpStatus; body: HomingErrorBody } {
  const body: HomingErrorBody = { code: error.code, message: error.message };
  if (error instanceof ValidationError) body.fields = error.fields;
  return { status: STATUS[error.code], body };
}

/**
 * For hosts that call the library from their own controllers: answers its errors with plain HTTP statuses
 * (404, 409, 422, ...) instead of a 500. Register it with `app.useGlobalFilters(new HomingExceptionFilter())`
 * (Express), or as an `APP_FILTER` provider, which also lets it answer through any other HTTP adapter.
 */
@Catch(HomingError)
export class HomingExceptionFilter implements ExceptionFilter {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(error: HomingError, host: ArgumentsHost): void {
    const { status, body } = homingErrorResponse(error);
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) adapter.reply(response, body, status);
    else response.status(status).json(body);
  }
}
