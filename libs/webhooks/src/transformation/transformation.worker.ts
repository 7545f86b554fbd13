import type { MessagePort } from 'node:worker_threads';
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';

/** What the sandbox thread is started with. */
export interface SandboxThreadData {
  /** The resolved path of quickjs-emscripten's CommonJS entry. */
  quickjs: string;
  memoryBytes: number;
  stackBytes: number;
  timeMs: number;
}

/** One run: `check` only evaluates the code and looks for `handler`; `run` calls it. */
export interface SandboxRequest {
  mode: 'check' | 'run';
  code: string;
  /** The webhook object as JSON text. */
  input: string;
  /** The variables, as JSON text of an object. */
  variables: string;
  /** The longest payload (its JSON text, in characters) the run may give back. */
  maxPayloadLength: number;
}

/** What the handler returned, field by field, unchecked; `payload` as JSON text (null: it had none). */
export interface SandboxOutput {
  method: unknown;
  url: unknown;
  headers: unknown;
  cancel: unknown;
  payload: string | null;
}

export type SandboxReply = { ok: true; output: SandboxOutput | null } | { ok: false; reason: string };

/**
 * The body of the sandbox thread, started as the source text of this function (so it needs no file of its own
 * and nothing it closes over): it loads QuickJS's WebAssembly module once, then answers each request with a
 * fresh runtime and context, bounded in memory, stack and time, disposed after the run. Inside, the code sees
 * only the language's own globals: no `require`, `process`, `fetch`, timers or I/O. A failure of the module
 * itself (not of the code it runs) is answered, then the thread ends, to be started afresh.
 */
export function sandboxThread(load: (id: string) => unknown): void {
  const { parentPort, workerData } = load('node:worker_threads') as { parentPort: MessagePort; workerData: SandboxThreadData };
  const quickjs = load(workerData.quickjs) as typeof import('quickjs-emscripten');

  const tooLong: SandboxReply = { ok: false, reason: `it ran longer than ${workerData.timeMs} ms` };

  /** Why a run ended with a JavaScript error, in the words the attempt records. */
  const failure = (vm: QuickJSContext, error: QuickJSHandle, where: string): SandboxReply => {
    const dumped = vm.dump(error) as { name?: unknown; message?: unknown } | null;
    error.dispose();
    const name = typeof dumped?.name === 'string' ? dumped.name : '';
    const message = typeof dumped?.message === 'string' ? dumped.message : String(dumped);
    if (name === 'InternalError' && message === 'interrupted') return tooLong;
    if (/out of memory/.test(message)) return { ok: false, reason: `it used more than ${workerData.memoryBytes / 1024 / 1024} MB of memory` };
    if (message === 'stack overflow') return { ok: false, reason: 'it overflowed its stack (recursion too deep)' };
    return { ok: false, reason: `${where} ${name ? `${name}: ` : ''}${message}`.slice(0, 1000) };
  };

  const run = (module: QuickJSWASMModule, request: SandboxRequest): SandboxReply => {
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(workerData.memoryBytes);
    runtime.setMaxStackSize(workerData.stackBytes);
    // The time limit is the code's: it starts once the sandbox is set up, which on a busy machine can take a while itself.
    let deadline = Number.POSITIVE_INFINITY;
    runtime.setInterruptHandler(() => Date.now() > deadline);
    const vm = runtime.newContext();
    const handles: QuickJSHandle[] = [];
    const keep = (handle: QuickJSHandle) => (handles.push(handle), handle);
    try {
      // Taken before the code runs, so that replacing JSON's functions changes nothing here.
      const json = keep(vm.getProp(vm.global, 'JSON'));
      const parse = keep(vm.getProp(json, 'parse'));
      const stringify = keep(vm.getProp(json, 'stringify'));
      deadline = Date.now() + workerData.timeMs;
      const evaluated = vm.evalCode(request.code, 'transformation.js');
      if (evaluated.error) return failure(vm, evaluated.error, 'the code failed:');
      evaluated.value.dispose();
      const handler = keep(vm.getProp(vm.global, 'handler'));
      if (vm.typeof(handler) !== 'function') return { ok: false, reason: 'the code declares no function handler(webhook)' };
      if (request.mode === 'check') return { ok: true, output: null };
      const parsed = (text: string) => {
        const argument = keep(vm.newString(text));
        const result = vm.callFunction(parse, json, argument);
        return result.error ? (result.error.dispose(), null) : keep(result.value);
      };
      const webhook = parsed(request.input);
      const variables = parsed(request.variables);
      if (!webhook || !variables) return { ok: false, reason: `the webhook did not fit in ${workerData.memoryBytes / 1024 / 1024} MB` };
      const called = vm.callFunction(handler, vm.undefined, webhook, variables);
      if (called.error) return failure(vm, called.error, 'handler threw');
      const returned = keep(called.value);
      const state = vm.getPromiseState(returned);
      if (!(state.type === 'fulfilled' && state.notAPromise)) {
        if (state.type === 'fulfilled') state.value.dispose();
        if (state.type === 'rejected') state.error.dispose();
        return { ok: false, reason: 'handler returned a Promise; it must return the webhook object itself (async handlers are not run)' };
      }
      const text = vm.callFunction(stringify, json, returned);
      if (text.error) return failure(vm, text.error, 'its result cannot be written as JSON:');
      // One call QuickJS cannot interrupt (a long normalize) may end past the time before the watchdog ends the thread.
      if (Date.now() > deadline) return tooLong;
      const written = keep(text.value);
      // JSON.stringify gives undefined for undefined and functions.
      if (vm.typeof(written) !== 'string') return { ok: false, reason: `handler returned ${vm.typeof(returned)}, not the webhook object` };
      const result = JSON.parse(vm.getString(written)) as unknown;
      if (typeof result !== 'object' || result === null || Array.isArray(result)) {
        return { ok: false, reason: `handler returned ${result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`}, not the webhook object` };
      }
      const fields = result as Record<string, unknown>;
      const payload = fields.payload === undefined ? null : JSON.stringify(fields.payload);
      if (payload !== null && payload.length > request.maxPayloadLength) {
        return { ok: false, reason: `the payload it returned is larger than ${request.maxPayloadLength} bytes` };
      }
      return { ok: true, output: { method: fields.method, url: fields.url, headers: fields.headers, cancel: fields.cancel, payload } };
    } finally {
      for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
      vm.dispose();
      runtime.dispose();
    }
  };

  quickjs.newQuickJSWASMModule().then(
    (module) => {
      parentPort.on('message', (request: SandboxRequest) => {
        let reply: SandboxReply;
        let broken = false;
        try {
          reply = run(module, request);
        } catch (error) {
          // The module's own failure (its stack, an abort): its state is unknown, so this thread ends after answering.
          reply = { ok: false, reason: `the sandbox failed: ${String(error).slice(0, 300)}` };
          broken = true;
        }
        parentPort.postMessage(reply);
        if (broken) process.exit(1);
      });
      parentPort.postMessage({ ready: true });
    },
    (error: unknown) => {
      parentPort.postMessage({ ok: false, reason: `the sandbox could not load QuickJS: ${String(error)}` });
      process.exit(1);
    },
  );
}
