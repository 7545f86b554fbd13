import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, UnprocessableEntityException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, type Observable, of, switchMap } from 'rxjs';
import { assertJsonDepth } from '@homing/webhooks/internal';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { sha256 } from '../hashing.js';
import { IdempotencyService } from './idempotency.service.js';

const HEADER = 'idempotency-key';

/**
 * POSTs with an `idempotency-key` (the Svix SDK sends one on every POST and reuses it when it
 * retries): the first request runs; a retry with the same key, from the same principal, to the
 * same URL, gets the first one's response and creates nothing. Only successful responses are kept,
 * so a retry after an error runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly records: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.principal) return next.handle();
    if (key.length === 0 || key.length > 256) {
      throw new UnprocessableEntityException({ detail: [{ loc: ['header', HEADER], msg: `${HEADER} must be 1 to 256 characters`, type: 'value_error' }] });
    }
    const principal = request.principal.kind === 'operator' ? 'operator' : `portal:${request.principal.appId}`;
    const id = sha256([principal, key, request.method, request.originalUrl].join('\n'));
    // Runs before the validation pipe: JSON.stringify of too deep a body would overflow the stack.
    assertJsonDepth(request.body);
    const requestHash = sha256(JSON.stringify(request.body ?? null));
    return from(this.records.claim(id, requestHash)).pipe(
      switchMap((stored) => {
        if (stored) {
          response.status(stored.statusCode);
          return of(stored.body);
        }
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            await this.records.finish(id, { statusCode: response.statusCode, body });
            return body;
          }),
          catchError(async (error: unknown) => {
            await this.records.release(id);
            throw error;
          }),
        );
      }),
    );
  }
}
