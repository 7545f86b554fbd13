import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { TRANSFORMATION_LIMITS } from '../webhooks.constants.js';
import { TransformationRunner } from './transformation.runner.js';
import { TransformationSandbox } from './transformation.sandbox.js';
import type { TransformationResult, WebhookSource } from './webhook-object.js';

const MAX_PAYLOAD = 64 * 1024;
const URL = 'https://hooks.example.com/orders';
const SOURCE: WebhookSource = { eventType: 'order.paid', payload: '{"id": "ord_1", "total": 1250}', contentType: null };

/** The reason of a run stopped by its memory or its time, whichever it reached first. */
const LIMIT = new RegExp(`^it (used more than 16 MB of memory|ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms)$`);

/**
 * An expression QuickJS evaluates in one native call with no point where it looks at the time: putting
 * `pairs` pairs of combining marks of alternating classes in canonical order takes quadratic time in a
 * few kilobytes (here 12,000 pairs take about a third of a second, 30,000 about two).
 */
const uninterruptible = (pairs: number) => `function handler(webhook) { webhook.payload = ('a' + '\\u0301\\u0323'.repeat(${pairs})).normalize('NFD').length; return webhook; }`;

/** The longest a hostile run may take from the caller's side: its limit, the grace of the watchdog, and some room on a busy machine. */
const BOUND_MS = TRANSFORMATION_LIMITS.timeMs + TRANSFORMATION_LIMITS.graceMs + 1_500;

describe('transformations in the sandbox', () => {
  const sandbox = new TransformationSandbox();
  const runner = new TransformationRunner(sandbox, { maxPayloadBytes: MAX_PAYLOAD } as ResolvedWebhooksOptions);
  afterAll(() => sandbox.close());

  const transform = (code: string, variables: Record<string, string> | null = null, source = SOURCE) => runner.transform({ code, variables }, source, URL);

  /**
   * The run's result, its time, and how often this process's event loop turned meanwhile. A run on this
   * thread would block it throughout (no turn at all); a loaded machine makes turns late, not absent, so
   * the count, not the longest gap, is what tells.
   */
  async function timed(code: string): Promise<{ result: TransformationResult; ms: number; turns: number }> {
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 5);
    const started = performance.now();
    const result = await transform(code);
    const ms = performance.now() - started;
    clearInterval(ticker);
    return { result, ms, turns };
  }

  const failure = (result: TransformationResult) => (result.kind === 'failed' ? result.reason : `not a failure: ${JSON.stringify(result)}`);

  it("hands handler Svix's webhook object and its variables, and sends what it returns", async () => {
    const code = `function handler(webhook, variables) {
      const seen = JSON.parse(JSON.stringify(webhook));
      webhook.payload = { seen, variables, extra: [1, 'two'] };
      return webhook;
    }`;
    const result = await transform(code, { region: 'eu' });
    expect(result.kind).toBe('send');
    const { request } = result as Extract<TransformationResult, { kind: 'send' }>;
    expect(request).toMatchObject({ method: 'POST', url: URL, headers: {}, contentType: null });
    expect(JSON.parse(request.body)).toEqual({
      seen: { eventType: 'order.paid', method: 'POST', url: URL, cancel: false, headers: {}, payload: { id: 'ord_1', total: 1250 } },
      variables: { region: 'eu' },
      extra: [1, 'two'],
    });
  });

  it('changes the method, URL and payload and adds headers; cancel calls the delivery off', async () => {
    const code = `function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url + '/' + webhook.payload.id;
      webhook.headers['x-order'] = webhook.payload.id;
      webhook.payload = { total: webhook.payload.total / 100 };
      return webhook;
    }`;
    expect(await transform(code)).toEqual({
      kind: 'send',
      request: { method: 'PUT', url: `${URL}/ord_1`, headers: { 'x-order': 'ord_1' }, body: '{"total":12.5}', contentType: null },
    });
    expect(await transform('function handler(webhook) { webhook.cancel = true; return webhook; }')).toEqual({ kind: 'cancel' });
  });

  it("stops an endless loop at its time limit, without holding up this process's event loop", async () => {
    const { result, ms, turns } = await timed('function handler(webhook) { while (true) {} }');
    expect(failure(result)).toBe(`it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms`);
    expect(ms).toBeGreaterThanOrEqual(TRANSFORMATION_LIMITS.timeMs);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('stops a loop in top-level code too', async () => {
    expect(failure(await transform('for (;;) {} function handler(webhook) { return webhook; }'))).toBe(`it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms`);
  });

  it('refuses an allocation bomb at 16 MB, however it allocates', async () => {
    expect(failure(await transform("function handler(webhook) { return 'x'.repeat(2 ** 28); }"))).toBe('it used more than 16 MB of memory');
    // Allocations that grow step by step reach one limit or the other first, as the machine's load has it.
    expect(failure(await transform('function handler(webhook) { const a = new Array(2 ** 26).fill(0); return webhook; }'))).toMatch(LIMIT);
    // Many small allocations near the limit make QuickJS collect garbage over and over.
    const { result, ms } = await timed("function handler(webhook) { const a = []; while (true) a.push('x'.repeat(1e5)); }");
    expect(failure(result)).toMatch(LIMIT);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('ends a built-in that cannot be interrupted (one long normalize) by ending its thread, and the next run works', async () => {
    // Seconds inside one call: past the watchdog's grace.
    const code = uninterruptible(30_000);
    const { result, ms, turns } = await timed(code);
    expect(failure(result)).toBe(`it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms`);
    expect(ms).toBeGreaterThanOrEqual(TRANSFORMATION_LIMITS.timeMs + TRANSFORMATION_LIMITS.graceMs);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(turns).toBeGreaterThanOrEqual(2);
    expect((await transform('function handler(webhook) { return webhook; }')).kind).toBe('send');
  });

  it('fails a run that ends past its time inside one call QuickJS cannot interrupt, whether or not its thread had to be ended', async () => {
    // Past the time and, on this machine kind, within the watchdog's grace: the run ends by itself, too late.
    expect(failure(await transform(uninterruptible(12_000)))).toBe(`it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms`);
  });

  it('gives no Node API: require, process, fetch and timers are not defined', async () => {
    expect(failure(await transform("function handler(webhook) { return require('fs').readFileSync('/etc/passwd', 'utf8'); }"))).toBe(
      "handler threw ReferenceError: 'require' is not defined",
    );
    expect(failure(await transform('function handler(webhook) { process.exit(1); }'))).toBe("handler threw ReferenceError: 'process' is not defined");
    expect(failure(await transform("function handler(webhook) { fetch('http://127.0.0.1:9/'); return webhook; }"))).toBe("handler threw ReferenceError: 'fetch' is not defined");
    expect(failure(await transform('function handler(webhook) { setTimeout(() => {}, 0); return webhook; }'))).toBe("handler threw ReferenceError: 'setTimeout' is not defined");
    expect(failure(await transform("function handler(webhook) { return import('node:fs'); }"))).toMatch(/^handler (threw|returned a Promise)/);
  });

  it('has only the language itself on its global object', async () => {
    const result = await transform(`function handler(webhook) {
      webhook.payload = { names: Object.getOwnPropertyNames(globalThis), self: typeof self, window: typeof window, global: typeof global };
      return webhook;
    }`);
    const { names, ...others } = JSON.parse((result as Extract<TransformationResult, { kind: 'send' }>).request.body) as { names: string[] };
    // ECMAScript's own globals (ES2025), QuickJS's InternalError, and the code's own handler.
    const ecmascript = new Set(
      `globalThis Infinity NaN undefined eval isFinite isNaN parseFloat parseInt decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape
      AggregateError Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array Boolean DataView Date Error EvalError FinalizationRegistry Float16Array
      Float32Array Float64Array Function Int8Array Int16Array Int32Array Iterator JSON Map Math Number Object Promise Proxy RangeError ReferenceError Reflect
      RegExp Set SharedArrayBuffer String Symbol SyntaxError TypeError Uint8Array Uint8ClampedArray Uint16Array Uint32Array URIError WeakMap WeakRef WeakSet
      InternalError handler`.split(/\s+/),
    );
    expect(names.filter((name) => !ecmascript.has(name))).toEqual([]);
    expect(others).toEqual({ self: 'undefined', window: 'undefined', global: 'undefined' });
  });

  it('says what is wrong with code that does not compile, throws, or has no handler', async () => {
    expect(failure(await transform('function handler(webhook) { return webhook'))).toMatch(/^the code failed: SyntaxError: /);
    expect(failure(await transform("throw new Error('at load'); function handler(webhook) { return webhook; }"))).toBe('the code failed: Error: at load');
    expect(failure(await transform('function transform(webhook) { return webhook; }'))).toBe('the code declares no function handler(webhook)');
    expect(failure(await transform('const handler = 42;'))).toBe('the code declares no function handler(webhook)');
    expect(failure(await transform("function handler(webhook) { throw new TypeError('no total'); }"))).toBe('handler threw TypeError: no total');
    expect(failure(await transform("function handler(webhook) { throw 'a string'; }"))).toBe('handler threw a string');
  });

  it('fails a handler that returns something other than the webhook object', async () => {
    const returning = async (value: string) => failure(await transform(`function handler(webhook) { return ${value}; }`));
    expect(await returning('undefined')).toBe('handler returned undefined, not the webhook object');
    expect(await returning('null')).toBe('handler returned null, not the webhook object');
    expect(await returning('42')).toBe('handler returned a number, not the webhook object');
    expect(await returning("'text'")).toBe('handler returned a string, not the webhook object');
    expect(await returning('[webhook]')).toBe('handler returned an array, not the webhook object');
    expect(await returning('() => webhook')).toBe('handler returned function, not the webhook object');
    expect(await returning('Promise.resolve(webhook)')).toBe('handler returned a Promise; it must return the webhook object itself (async handlers are not run)');
    expect(failure(await transform('async function handler(webhook) { return webhook; }'))).toMatch(/^handler returned a Promise/);
    expect(await returning('{ payload: 10n }')).toMatch(/^its result cannot be written as JSON: TypeError: .*BigInt/);
    expect(await returning('(() => { const o = {}; o.o = o; return { payload: o }; })()')).toMatch(/^its result cannot be written as JSON: TypeError: circular reference/);
    expect(await returning('{ url: webhook.url }')).toBe('the webhook it returned has no payload');
  });

  it('fails fields of the wrong kind, a URL that is not http(s) and headers Homing sets itself', async () => {
    const setting = async (assignment: string) => failure(await transform(`function handler(webhook) { ${assignment}; return webhook; }`));
    expect(await setting("webhook.method = 'GET'")).toBe('method must be POST, PUT, PATCH, not "GET"');
    expect(await setting("webhook.method = 'put'")).toBe('method must be POST, PUT, PATCH, not "put"');
    expect(await setting("webhook.url = 'file:///etc/passwd'")).toBe('url must be an http or https URL of at most 2048 characters, not "file:///etc/passwd"');
    expect(await setting('webhook.url = 7')).toBe('url must be an http or https URL of at most 2048 characters, not 7');
    expect(await setting("webhook.url = 'https://a.example/' + 'x'.repeat(2048)")).toMatch(/^url must be an http or https URL of at most 2048 characters/);
    expect(await setting("webhook.cancel = 'yes'")).toBe('cancel must be true or false, not "yes"');
    expect(await setting("webhook.headers = 'x-a: 1'")).toBe('headers must be an object of header names to string values');
    expect(await setting("webhook.headers['webhook-signature'] = 'v1,forged'")).toBe('headers "webhook-signature" is reserved (each delivery sets it, or HTTP does) and cannot be given');
    expect(await setting("webhook.headers['content-type'] = 'text/plain'")).toMatch(/^headers "content-type" is reserved/);
    expect(await setting("webhook.headers['x-a'] = 'line\\r\\nInjected: 1'")).toMatch(/^headers the value of "x-a" must be a string without line breaks/);
    expect(await setting("webhook.headers['x-a'] = 5")).toMatch(/^headers the value of "x-a" must be a string/);
  });

  it("refuses an output larger than the payload limit, and one that would not fit in the sandbox's memory", async () => {
    expect(failure(await transform(`function handler(webhook) { webhook.payload = 'y'.repeat(${MAX_PAYLOAD}); return webhook; }`))).toBe(
      `the payload it returned is larger than ${MAX_PAYLOAD} bytes`,
    );
    // Under the character count, over the byte count: each é is two bytes.
    expect(failure(await transform(`function handler(webhook) { webhook.payload = 'é'.repeat(${MAX_PAYLOAD / 2}); return webhook; }`))).toBe(
      `the payload it returned is ${MAX_PAYLOAD + 2} bytes; the limit is ${MAX_PAYLOAD} bytes`,
    );
    // 12 MB of text fits; written out as JSON beside it, it does not (or, on a busy machine, not within the time).
    expect(failure(await transform("function handler(webhook) { webhook.payload = 'z'.repeat(12 * 1024 * 1024); return webhook; }"))).toMatch(LIMIT);
  });

  it('stops recursion at its stack bound, in code and in JSON, and the next run works', async () => {
    expect(failure(await transform('function handler(webhook) { function down(n) { return down(n + 1) + 1; } return down(0); }'))).toBe(
      'it overflowed its stack (recursion too deep)',
    );
    const deep = "function handler(webhook) { webhook.payload = JSON.parse('['.repeat(100000) + ']'.repeat(100000)); return webhook; }";
    expect(failure(await transform(deep))).toMatch(/stack/);
    expect((await transform('function handler(webhook) { return webhook; }')).kind).toBe('send');
  });

  it("keeps its own JSON and Array when the code replaces the global ones", async () => {
    const code = `JSON.stringify = () => '"forged"'; JSON.parse = () => ({ payload: 'forged' });
      function handler(webhook) { return webhook; }`;
    expect(await transform(code)).toMatchObject({ kind: 'send', request: { body: '{"id":"ord_1","total":1250}' } });
  });

  it('gives text of another media type as a string, and sends a string it leaves as that text under its type', async () => {
    const xml: WebhookSource = { eventType: 'order.paid', payload: '<order id="1"/>', contentType: 'application/xml' };
    const code = "function handler(webhook) { webhook.payload = webhook.payload.replace('1', '2'); return webhook; }";
    expect(await transform(code, null, xml)).toMatchObject({ kind: 'send', request: { body: '<order id="2"/>', contentType: 'application/xml' } });
    const toJson = 'function handler(webhook) { webhook.payload = { xml: webhook.payload }; return webhook; }';
    expect(await transform(toJson, null, xml)).toMatchObject({ kind: 'send', request: { body: '{"xml":"<order id=\\"1\\"/>"}', contentType: null } });
  });

  it('checks code without calling handler: it must compile, run its top level and declare handler', async () => {
    expect(await runner.problem("function handler(webhook) { throw new Error('never called'); }")).toBeNull();
    expect(await runner.problem('function handler(webhook) {')).toMatch(/^the code failed: SyntaxError/);
    expect(await runner.problem('while (true) {}')).toBe(`it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms`);
    expect(await runner.problem('var x = 1;')).toBe('the code declares no function handler(webhook)');
  });

  it('runs concurrent calls one after the other, each with its own fresh context', async () => {
    const code = 'var count = (globalThis.count || 0) + 1; function handler(webhook) { webhook.payload = { count }; return webhook; }';
    const results = await Promise.all(Array.from({ length: 5 }, () => transform(code)));
    expect(results.map((result) => (result as Extract<TransformationResult, { kind: 'send' }>).request.body)).toEqual(Array(5).fill('{"count":1}'));
  });
});
