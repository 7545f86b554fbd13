import { randomUUID } from 'node:crypto';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA, SSE_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ApplicationIn } from '../../apps/dispatcher/src/api/dto/application.dto.js';
import { TransformationsParams } from '../../apps/dispatcher/src/api/dto/message.dto.js';
import { UNVALIDATED_INPUT } from '../../apps/dispatcher/src/api/errors/svix-exception.filter.js';
import { BackgroundTaskEntity } from '../../apps/dispatcher/src/entities/index.js';
import { MessageEntity, OPERATIONAL_EVENT } from '@homing/webhooks';
import { OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

/**
 * Every route of the API that reads a body or a query string, found from the controllers, gets hostile
 * values in each of its fields (and in fields it does not know): deep nesting, huge numbers, long
 * strings, odd unicode, wrong types, nulls. None may answer 5xx; a refusal names the field (422) or
 * says why ({ code, detail }) and leaves every table as it was. Seeded: FUZZ_SEED and FUZZ_RUNS explore further.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 12);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3);

const ENDPOINT_URL = 'http://127.0.0.1:9/hook';
const EXAMPLE_TYPE = 'fuzz.example';
const EDITED_TYPE = 'fuzz.edited';

interface Route {
  method: string;
  path: string;
  body?: Type;
  query?: Type;
}

/**
 * The routes of the running app, from the metadata Nest routes by, with their body and query DTOs. Left out: the
 * relay inbox (any method; it answers what a listener answers, 503 when none is connected), event streams (they never
 * end) and the portal's static files (503 while the portal is not built, as on a fresh clone; test/portal covers them).
 */
function routesOf(modules: ModulesContainer): Route[] {
  const routes: Route[] = [];
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const method = Reflect.getMetadata(METHOD_METADATA, controller.prototype[handler]) as RequestMethod | undefined;
        if (method === undefined || method === RequestMethod.ALL || Reflect.getMetadata(SSE_METADATA, controller.prototype[handler])) continue;
        if (Reflect.getMetadata(PATH_METADATA, controller) === 'portal') continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, { index: number }>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ?? []) as Type[];
        const dto = (kind: RouteParamtypes) => {
          const key = Object.keys(args).find((name) => name.startsWith(`${kind}:`));
          return key === undefined ? undefined : types[args[key].index];
        };
        // A handler may answer several paths (the portal's '' and '*path'): each is a route.
        const paths = [Reflect.getMetadata(PATH_METADATA, controller.prototype[handler])].flat() as string[];
        for (const path of paths) {
          const full = [Reflect.getMetadata(PATH_METADATA, controller), path].filter((part) => part && part !== '/').join('/');
          routes.push({ method: RequestMethod[method], path: `/${full}`, body: dto(RouteParamtypes.BODY), query: dto(RouteParamtypes.QUERY) });
        }
      }
    }
  }
  return routes;
}

/** Valid bodies, fresh for each request (names that must be unique stay unique). */
let serial = 0;
const BODIES: Record<string, () => Record<string, unknown>> = {
  ApplicationIn: () => ({ name: 'Fuzzed' }),
  ApplicationPatch: () => ({}),
  EndpointIn: () => ({ url: ENDPOINT_URL }),
  EndpointUpdate: () => ({ url: ENDPOINT_URL }),
  EndpointPatch: () => ({}),
  EndpointSecretRotateIn: () => ({}),
  EndpointHeadersIn: () => ({ headers: { 'x-fuzz': '1' } }),
  EndpointHeadersPatchIn: () => ({ headers: { 'x-fuzz': '2' } }),
  EndpointTransformationPatch: () => ({}),
  TransformationSimulateIn: () => ({ code: 'function handler(webhook) { return webhook; }', eventType: 'fuzz.happened', payload: { n: 1 } }),
  RecoverIn: () => ({ since: new Date(Date.now() - 3600_000).toISOString() }),
  ReplayIn: () => ({ since: new Date(Date.now() - 3600_000).toISOString() }),
  BulkReplayIn: () => ({ since: new Date(Date.now() - 3600_000).toISOString() }),
  CancelMsgsIn: () => ({ createdBefore: new Date(Date.now() - 3600_000).toISOString() }),
  EventExampleIn: () => ({ eventType: EXAMPLE_TYPE }),
  EventTypeIn: () => ({ name: `fuzz.type-${(serial += 1)}`, description: 'Fuzzed' }),
  EventTypeUpdate: () => ({ description: 'Fuzzed' }),
  EventTypePatch: () => ({}),
  EventTypeImportOpenApiIn: () => ({ dryRun: true, spec: { openapi: '3.1.0', info: { title: 'Fuzz', version: '1' }, webhooks: { 'fuzz.imported': { post: { description: 'Fuzzed' } } } } }),
  RetryScheduleInOut: () => ({ retrySchedule: [{ secs: 0, nanos: 200_000_000 }] }),
  MessageIn: () => ({ eventType: 'fuzz.happened', payload: { n: 1 } }),
  MessagePrecheckIn: () => ({ eventType: 'fuzz.happened' }),
  BulkExpungeContentsIn: () => ({ ids: ['fuzz-event'] }),
  AppPortalAccessIn: () => ({}),
  ApplicationTokenExpireIn: () => ({}),
  RelayReplyIn: () => ({ status: 200, durationMs: 1 }),
  AppUsageStatsIn: () => ({ since: new Date(Date.now() - 3600_000).toISOString(), until: new Date().toISOString() }),
  OperationalWebhookEndpointIn: () => ({ url: ENDPOINT_URL }),
  OperationalWebhookEndpointUpsertIn: () => ({ url: ENDPOINT_URL }),
  OperationalWebhookEndpointSecretIn: () => ({}),
  OperationalWebhookEndpointHeadersIn: () => ({ headers: { 'x-fuzz': '1' } }),
  // Nested in others.
  TransformationsParams: () => ({}),
};
/** Fields that hold a DTO of their own, whose fields get hostile values too. */
const NESTED: Record<string, Type> = { application: ApplicationIn, transformationsParams: TransformationsParams };
/** Names no DTO has (dropped, as Svix ignores them), including ones that would reach an object's prototype. */
const UNKNOWN = ['__proto__', 'constructor', 'unknownField', '', '['.repeat(500)];

/** The fields a DTO validates. */
function namesOf(dto: Type): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((entry) => entry.propertyName))];
}

/** The fields a DTO validates, those of a nested DTO as paths. */
function fieldsOf(dto: Type): string[][] {
  const nested = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).filter((entry) => entry.type === 'nestedValidation').map((entry) => entry.propertyName));
  return namesOf(dto).flatMap((name) => {
    if (!nested.has(name)) return [[name]];
    expect(NESTED[name], `the fuzz suite knows the DTO nested in ${dto.name}.${name}`).toBeDefined();
    return [[name], ...namesOf(NESTED[name]).map((field) => [name, field])];
  });
}

/** JSON text of `levels` arrays or objects nested in one another. */
const nestedText = (levels: number, kind: 'array' | 'object') =>
  kind === 'array' ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}{}${'}'.repeat(levels)}`;
const json = (value: unknown) => JSON.stringify(value);

/** Hostile values for a body field, as JSON text (so numbers, escapes and depth go out exactly as written). */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.record({ levels: fc.integer({ min: 200, max: 5000 }), kind: fc.constantFrom('array' as const, 'object' as const) }).map(({ levels, kind }) => nestedText(levels, kind)),
  fc.constantFrom('2147483648', '4294967296', '65536', '9007199254740993', '1e308', '-1e308', '1e400', '-0', '0.5', '-1', '0', '123456789012345678901234567890'),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map(json),
  fc.constantFrom('NaN', 'Infinity', '-0', '1e308', '0x10', '', ' ').map(json),
  fc.record({ length: fc.constantFrom(300, 70_000), unit: fc.constantFrom('a', '😀', '\uFE0F', 'é', '\u202E', '\u200B', '\0') }).map(({ length, unit }) => json(unit.repeat(length))),
  fc.constantFrom('"\\ud800"', '"\\udfff"', '"a\\ud83d"', '"\\u0000"', '"\\u202egnp.exe"', '"\\u200b"', '"\\ufeff"', '"\\r\\n"', '"\\ud800\\u0000\\udfff"'),
  fc.string({ unit: 'binary', maxLength: 40 }).map(json),
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[null]', '{"":null}', '[1,"a",{}]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{"\\ud800":"\\udfff"}'),
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constant(null)), { maxKeys: 3 }).map(json),
  fc.constantFrom('+010000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59.999Z', '2024-02-30T00:00:00Z', '1').map(json),
  fc.json({ maxDepth: 3 }),
);
/** The deepest case, tried on every field: what used to overflow the stack. */
const DEEPEST = nestedText(100_000, 'array');

/** UTF-8 percent-encoding that does not throw on a lone surrogate (encodeURIComponent does). */
const percent = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => (/[\w.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');
/** Hostile values for a query parameter, already encoded (some encoded wrongly on purpose); several mean a repeated parameter. */
const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '%00', '%ED%A0%80', '%FF%FE', '%', '%zz', '1e308', '2147483648', '9007199254740993', '-0', '-1', 'NaN', 'true', 'null', 'a,b,,c'),
  fc.constantFrom('+010000-01-01T00:00:00Z', '0000-01-01', '1969-12-31T23:59:59Z', '2024-02-30', '275760-09-13T00:00:00Z').map(percent),
  fc.string({ unit: 'binary', maxLength: 40 }).map(percent),
  // Long, but within the 16 kB Node allows a request's head.
  fc.constantFrom('a'.repeat(4000), '😀'.repeat(300), '\u202E'.repeat(300), '\uFE0F'.repeat(300)).map(percent),
);
const hostileQuery = fc.array(hostileQueryValue, { minLength: 1, maxLength: 2 });

/** A failure with what was sent and answered (fast-check would print the whole counterexample: 200 kB for the deepest). */
async function report<T>(details: fc.RunDetails<T>): Promise<void> {
  if (details.failed) throw new Error(`seed ${details.seed}, path ${details.counterexamplePath}: ${String(details.errorInstance).slice(0, 3000)}`);
}

interface Answer {
  status: number;
  body: { code?: unknown; detail?: unknown };
}

describe('hostile values in every field of every body and query of the API', () => {
  const h = useDispatcher({ HOMING_WORKER: 'false' });
  const params: Record<string, string> = {};
  let routes: Route[] = [];
  let tables: string[] = [];

  async function call(method: string, path: string, body?: string): Promise<Answer> {
    const response = await fetch(`${h.dispatcher.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${OPERATOR_TOKEN}`,
        'content-type': 'application/json',
        // As the Svix SDKs send on every POST: the idempotency layer reads the body too.
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      },
      body,
    });
    const text = await response.text();
    try {
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    } catch {
      return { status: response.status, body: { detail: text } };
    }
  }

  /** Every table's content, as MariaDB checksums it: equal before and after means nothing was written. */
  async function checksum(): Promise<Record<string, string>> {
    const rows = (await h.dispatcher.dataSource.query(`CHECKSUM TABLE ${tables.map((table) => `\`${table}\``).join(', ')}`)) as { Table: string; Checksum: string }[];
    return Object.fromEntries(rows.map((row) => [row.Table.split('.').pop(), row.Checksum]));
  }

  /** An accepted recover goes on after its answer: let it end, so it does not write while a later request is judged. */
  async function settled(): Promise<void> {
    await vi.waitFor(async () => expect(await h.dispatcher.records.getRepository(BackgroundTaskEntity).countBy({ status: 'running' })).toBe(0), { interval: 10 });
    // The end of each is then told to the operational endpoint (the fixture): a message written after the task's record.
    const ended = await h.dispatcher.records.getRepository(BackgroundTaskEntity).count();
    await vi.waitFor(async () => expect(await h.dispatcher.dataSource.getRepository(MessageEntity).countBy({ eventType: OPERATIONAL_EVENT.backgroundTaskFinished })).toBe(ended), { interval: 10 });
  }

  /** Routes that would destroy a fixture name one that does not exist (a 404 after validation). */
  const absent = (route: Route) => route.method === 'DELETE';

  /** The route's path with the fixtures' ids, and `hostile` (already encoded) for one parameter. */
  function pathOf(route: Route, hostile?: { param: string; value: string }): string {
    const name = absent(route) ? 'fuzz.absent' : EDITED_TYPE;
    return route.path.replace(/[:*](\w+)/g, (_match, param: string) =>
      param === hostile?.param ? hostile.value : ((param === 'name' ? name : params[param]) ?? `unknown-${param}`),
    );
  }

  /** Sends one request and checks what any answer must be: no 5xx; a refusal that says why, naming the field, with nothing written. */
  async function expectSafe(method: string, path: string, body: string | undefined, field: string[] | null, location?: 'body' | 'query'): Promise<void> {
    const before = await checksum();
    const answer = await call(method, path, body);
    const context = `${method} ${path.slice(0, 300)} ${body?.slice(0, 300) ?? ''} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`;
    expect(answer.status, context).toBeLessThan(500);
    if (answer.status < 400) return settled();
    expect(await checksum(), `a refused request wrote nothing: ${context}`).toEqual(before);
    // Svix's error shapes are the API's; the routes outside it (/metrics, /docs) answer as they do.
    if (!path.startsWith('/api/')) return;
    if (answer.status !== 422) {
      expect(answer.body, context).toMatchObject({ code: expect.any(String), detail: expect.any(String) });
      return;
    }
    const detail = answer.body.detail as { loc: unknown[]; msg: unknown; type: unknown }[];
    expect(detail, context).toEqual(expect.arrayContaining([{ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) }]));
    // Validation refused it, not the database or the stack behind it.
    expect(detail.map(({ type }) => type), context).not.toEqual(expect.arrayContaining(Object.values(UNVALIDATED_INPUT)));
    if (field) expect(detail.map(({ loc }) => loc.slice(0, 2).join('.')), context).toContain(`${location}.${field[0]}`);
  }

  beforeAll(async () => {
    const api = async (method: string, path: string, body: object) => {
      const answer = await call(method, `/api/v1${path}`, JSON.stringify(body));
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
      return answer.body as Record<string, string>;
    };
    routes = routesOf(h.dispatcher.app.get(ModulesContainer));
    tables = [h.dispatcher.dataSource, h.dispatcher.records].flatMap((dataSource) => dataSource.entityMetadatas.map((entity) => entity.tableName));

    params.appId = (await api('POST', '/app', { name: 'Fuzz', uid: 'fuzz-app' })).id;
    params.endpointId = (await api('POST', `/app/${params.appId}/endpoint`, { url: ENDPOINT_URL, uid: 'fuzz-endpoint' })).id;
    await api('POST', '/event-type', { name: EXAMPLE_TYPE, description: 'Has an example', schemas: { '1': { type: 'object', examples: [{ n: 1 }] } } });
    await api('POST', '/event-type', { name: EDITED_TYPE, description: 'Edited by the fuzzer' });
    params.msgId = (await api('POST', `/app/${params.appId}/msg`, { eventType: 'fuzz.happened', payload: { n: 0 } })).id;
    params.inboxId = (await api('POST', '/relay', {})).id;
    params.operationalEndpointId = (await api('POST', '/operational-webhook/endpoint', { url: ENDPOINT_URL, uid: 'fuzz-operational' })).id;
    // No request waits for it: the reply is published to no one.
    params.requestId = 'rq_nobody';
  });

  it('finds the routes, each of which takes its valid body', async () => {
    expect(routes.filter((route) => route.body).length).toBeGreaterThanOrEqual(17);
    expect(routes.filter((route) => route.query).length).toBeGreaterThanOrEqual(14);
    for (const route of routes.filter((candidate) => candidate.body || candidate.query)) {
      const body = route.body && BODIES[route.body.name];
      if (route.body) expect(body, `a valid body for ${route.method} ${route.path}`).toBeDefined();
      const answer = await call(route.method, pathOf(route), body && JSON.stringify(body()));
      // A request refused whatever it holds would test nothing; those made to name nothing get past validation to a 404.
      const context = `${route.method} ${route.path}: ${JSON.stringify(answer.body)}`;
      if (absent(route)) expect(answer.status, context).toBe(404);
      else expect(answer.status, context).toBeLessThan(300);
      await settled();
    }
  });

  it('answers every body field of every route without a 5xx, and writes nothing when it refuses', { timeout: RUNS * 60_000 }, async () => {
    let seed = SEED;
    for (const route of routes.filter((candidate) => candidate.body)) {
      const targets: [string[], boolean][] = [...fieldsOf(route.body!).map((field): [string[], boolean] => [field, true]), ...UNKNOWN.map((name): [string[], boolean] => [[name], false])];
      for (const [field, known] of targets) {
        const send = async (value: string) => {
          const base = BODIES[route.body!.name]();
          const placeholder = `\u0000hostile-${randomUUID()}`;
          const holder = field.length === 2 ? ((base[field[0]] ??= BODIES[NESTED[field[0]].name]()) as Record<string, unknown>) : base;
          // defineProperty: a plain assignment of '__proto__' would set the prototype instead of a field.
          Object.defineProperty(holder, field[field.length - 1], { value: placeholder, enumerable: true, configurable: true, writable: true });
          const body = JSON.stringify(base).replace(JSON.stringify(placeholder), () => value);
          await expectSafe(route.method, pathOf(route), body, known ? field : null, 'body');
        };
        await fc.assert(fc.asyncProperty(hostileJson, send), { seed: (seed += 1), numRuns: RUNS, examples: [[DEEPEST]], asyncReporter: report });
      }
    }
  });

  it('answers every query parameter of every route without a 5xx, and writes nothing when it refuses', { timeout: RUNS * 60_000 }, async () => {
    let seed = SEED;
    for (const route of routes.filter((candidate) => candidate.query)) {
      for (const [name, known] of [...namesOf(route.query!).map((field): [string, boolean] => [field, true]), ...UNKNOWN.map((field): [string, boolean] => [field, false])]) {
        const send = async (values: string[]) => {
          const query = values.map((value) => `${percent(name)}=${value}`).join('&');
          const body = route.body ? JSON.stringify(BODIES[route.body.name]()) : undefined;
          await expectSafe(route.method, `${pathOf(route)}?${query}`, body, known ? [name] : null, 'query');
        };
        await fc.assert(fc.asyncProperty(hostileQuery, send), { seed: (seed += 1), numRuns: RUNS, asyncReporter: report });
      }
    }
  });

  it('answers every path parameter of every route without a 5xx, and writes nothing when it refuses', { timeout: RUNS * 60_000 }, async () => {
    let seed = SEED;
    for (const route of routes) {
      for (const [, param] of route.path.matchAll(/[:*](\w+)/g)) {
        const send = async (value: string) => {
          const body = route.body ? JSON.stringify(BODIES[route.body.name]()) : undefined;
          await expectSafe(route.method, pathOf(route, { param, value }), body, null);
        };
        await fc.assert(fc.asyncProperty(hostileQueryValue, send), { seed: (seed += 1), numRuns: RUNS, examples: [['..%2F..%2Fpackage.json']], asyncReporter: report });
      }
    }
  });
});
