import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contractDifferences, HOMING_EXTENSIONS, routeOf } from '../support/contract/svix-contract.js';
import { SVIX_OPERATIONS } from '../support/contract/svix-operations.js';

/**
 * The contract (test/support/contract) checks every answer an in-process dispatcher gives during the
 * suite (contract.setup.ts fails the test that caused a difference). Here: that it can fail, and
 * that it covers every operation served.
 */
const SERVED = JSON.parse(readFileSync(fileURLToPath(new URL('../../libs/api-types/openapi.json', import.meta.url)), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

const APP = 'app_2Z3Uf9xEM1Zz4xPpG7vK1yqA0bC';
const application = { id: APP, name: 'Acme', uid: null, metadata: {}, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z' };

function served(): { method: string; path: string }[] {
  return Object.entries(SERVED.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x') })),
  );
}

describe("the contract with Svix's published shapes", () => {
  it('passes an answer in the shape Svix publishes', () => {
    expect(contractDifferences('GET', `/api/v1/app/${APP}`, 200, JSON.stringify(application))).toEqual([]);
    expect(contractDifferences('DELETE', `/api/v1/app/${APP}`, 204, '')).toEqual([]);
    expect(contractDifferences('GET', '/api/v1/app/stats/count-active', 200, '{"count":3}')).toEqual([]);
  });

  it('names what differs: an id out of pattern, a missing field, a wrong type, an unknown enum value', () => {
    const wrong = { ...application, id: 'app_short', name: 7, createdAt: 'yesterday' } as Record<string, unknown>;
    delete wrong.metadata;
    expect(contractDifferences('GET', `/api/v1/app/${APP}`, 200, JSON.stringify(wrong))).toEqual([
      '$.name: expected a string, got 7',
      '$.id: expected a app_ id, got "app_short"',
      '$.createdAt: expected an RFC 3339 date-time, got "yesterday"',
      '$.metadata: missing',
    ]);
    const task = { id: 'qtask_2Z3Uf9xEM1Zz4xPpG7vK1yqA0bC', status: 'done', task: 'endpoint.recover', updatedAt: '2026-11-30T10:00:00Z', data: {} };
    expect(contractDifferences('GET', `/api/v1/background-task/${task.id}`, 200, JSON.stringify(task))).toEqual([
      '$.status: expected one of "running", "finished", "failed", got "done"',
    ]);
  });

  it('refuses statuses Svix does not document, server errors, bodies on 204 and error bodies out of shape', () => {
    expect(contractDifferences('POST', '/api/v1/app', 202, JSON.stringify(application))).toEqual(['status 202, Svix documents 200 or 201']);
    expect(contractDifferences('GET', '/api/v1/app', 500, '{"code":"server_error","detail":"x"}')).toEqual(['status 500: a server error']);
    expect(contractDifferences('GET', `/api/v1/app/${APP}`, 413, '{"code":"payload_too_large","detail":"x"}')).toEqual([
      'status 413, not among the errors Svix documents (400, 401, 403, 404, 409, 422, 429)',
    ]);
    expect(contractDifferences('DELETE', `/api/v1/app/${APP}`, 204, '{}')).toEqual(['status 204 must have no body, got {}']);
    expect(contractDifferences('POST', '/api/v1/app', 422, '{"detail":"bad"}')).toEqual(['$.detail: expected an array, got "bad"']);
    expect(contractDifferences('POST', '/api/v1/app', 409, '{"code":"conflict"}')).toEqual(['$.detail: missing']);
  });

  it('prefers a literal segment to a parameter, and leaves unknown routes to their 404', () => {
    expect(routeOf('GET', '/api/v1/app/stats/count-active')?.operation?.id).toBe('v1.application.count-active');
    expect(routeOf('GET', '/api/v1/app/stats')?.operation?.id).toBe('v1.application.get');
    expect(routeOf('POST', '/api/v1/event-type/import/openapi')?.operation?.id).toBe('v1.event-type.import-openapi');
    expect(contractDifferences('GET', '/api/v1/nothing-here', 404, '{"code":"not_found","detail":"x"}')).toEqual([]);
    expect(contractDifferences('GET', '/api/v1/nothing-here', 200, '{}')).toEqual(['answered 200 where Svix has no operation']);
  });

  it('has a Svix operation (or a listed Homing extension) for every operation the dispatcher serves', () => {
    const unmatched = served()
      .filter(({ path }) => path.startsWith('/api/v1/'))
      .filter(({ method, path }) => !routeOf(method, path))
      .map(({ method, path }) => `${method} ${path}`);
    expect(unmatched).toEqual([]);
  });

  it("matches README's count of the Svix operations served", () => {
    const operations = new Set(served().flatMap(({ method, path }) => routeOf(method, path)?.operation?.id ?? []));
    const stated = /serves \*\*(\d+)\*\* of the operations/.exec(README)?.[1];
    expect(Number(stated), "README's HTTP API section").toBe(operations.size);
    expect(operations.size).toBeLessThanOrEqual(SVIX_OPERATIONS.length);
    expect(HOMING_EXTENSIONS.length).toBeGreaterThan(0);
  });
});
