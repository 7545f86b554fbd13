import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { differences } from './shapes.js';
import { EMPTY, HttpErrorOut, HTTPValidationError, SVIX_OPERATIONS, type SvixOperation } from './svix-operations.js';

/**
 * Routes under /api/v1 that Svix does not have (README, "HTTP API"): checked for their error bodies only.
 */
export const HOMING_EXTENSIONS = [
  { method: 'POST', path: '/api/v1/relay' },
  { method: 'GET', path: '/api/v1/relay/{inbox_id}/requests' },
  { method: 'GET', path: '/api/v1/relay/{inbox_id}/stream' },
  { method: 'POST', path: '/api/v1/relay/{inbox_id}/requests/{request_id}/response' },
  { method: 'GET', path: '/api/v1/auth/portal-session' },
  { method: 'POST', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/retry-now' },
] as const;

/**
 * Error statuses Homing gives on purpose where Svix's document lists none (README, "HTTP API"), with
 * Svix's error body: 410 `payload_purged` when an operation needs a payload that retention or an
 * expunge removed; 503 when MariaDB or Redis cannot be reached.
 */
const DELIBERATE_ERROR_STATUSES = [410, 503];

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  literals: number;
  operation?: SvixOperation;
}

function route(method: string, path: string, operation?: SvixOperation): Route {
  const segments = path.split('/');
  const pattern = new RegExp(`^${segments.map((segment) => (segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
  return { method, path, pattern, literals: segments.filter((segment) => !segment.startsWith('{')).length, operation };
}

// A literal segment wins over a parameter (`/app/stats/count-active` is not the app "stats").
const ROUTES = [...SVIX_OPERATIONS.map((op) => route(op.method, op.path, op)), ...HOMING_EXTENSIONS.map((ext) => route(ext.method, ext.path))].sort(
  (a, b) => b.literals - a.literals,
);

/** The Svix operation (or Homing extension) a request is for, if any. */
export function routeOf(method: string, path: string): Route | undefined {
  return ROUTES.find((candidate) => candidate.method === method && candidate.pattern.test(path));
}

/** How one response departs from what Svix publishes for its operation (empty when it does not). */
export function contractDifferences(method: string, url: string, status: number, body: string): string[] {
  const path = new URL(url, 'http://x').pathname;
  // Preflights (CORS) and HEAD are the HTTP layer's, not operations.
  if (!path.startsWith('/api/v1/') || method === 'OPTIONS' || method === 'HEAD') return [];
  const target = routeOf(method, path);
  if (!target) return status === 404 || status === 405 ? [] : [`answered ${status} where Svix has no operation`];
  const op = target.operation;
  if (status >= 200 && status < 300) {
    if (!op) return [];
    const shape = op.ok[status];
    if (shape === undefined) return [`status ${status}, Svix documents ${Object.keys(op.ok).join(' or ')}`];
    if (shape === EMPTY) return body.length === 0 ? [] : [`status ${status} must have no body, got ${body.slice(0, 60)}`];
    return differences(shape, parse(body));
  }
  if (status >= 500 && !DELIBERATE_ERROR_STATUSES.includes(status)) return [`status ${status}: a server error`];
  if (op && status < 500 && !op.errors.includes(status) && !DELIBERATE_ERROR_STATUSES.includes(status)) return [`status ${status}, not among the errors Svix documents (${op.errors.join(', ')})`];
  return differences(status === 422 ? HTTPValidationError : HttpErrorOut, parse(body));
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return `<not JSON: ${body.slice(0, 40)}>`;
  }
}

const found: string[] = [];

/** Differences seen since the last call (the setup file fails the test that caused them). */
export function takeContractDifferences(): string[] {
  return found.splice(0);
}

/** Checks every response `app` gives under /api/v1 against the contract. */
export function checkResponsesAgainstSvix(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as Response['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as Response['end'];
    res.on('finish', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      for (const difference of contractDifferences(req.method, req.originalUrl, res.statusCode, body)) {
        found.push(`${req.method} ${req.originalUrl.split('?')[0]} → ${res.statusCode}: ${difference}`);
      }
    });
    next();
  });
}
