import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** What the svix client sends beyond the CORS-safelisted headers (svix's SvixRequest.sendInner). */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'svix-req-id', 'svix-retry-count', 'user-agent'];
const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Lets pages of the listed origins call the API from the browser, as svix-react's hooks do with a
 * portal token. Bearer tokens only, never cookies, so no credentials; any other origin (or a request
 * without one) gets no CORS header at all, and its preflight the API's 404 as before.
 */
export function enableApiCors(app: NestExpressApplication, origins: readonly string[]): void {
  if (!origins.length) return;
  const listed = new Set(origins);
  // The answer depends on Origin even when it carries no CORS header, so caches must keep them apart.
  app.use('/api', (_request: Request, response: Response, next: NextFunction) => {
    response.vary('Origin');
    next();
  });
  app.enableCors((request: Request, callback) => {
    const origin = request.headers.origin;
    const allowed = origin !== undefined && listed.has(origin) && request.path.startsWith('/api/');
    callback(null, allowed ? { origin, methods: ALLOWED_METHODS, allowedHeaders: ALLOWED_HEADERS, maxAge: 600 } : { origin: false });
  });
}
