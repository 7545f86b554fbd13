import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pLimit from 'p-limit';
import { TRANSFORMATION_LIMITS } from '../webhooks.constants.js';
import { sandboxThread, type SandboxReply, type SandboxRequest, type SandboxThreadData } from './transformation.worker.js';

/**
 * Runs transformations in QuickJS (WebAssembly) on a thread of its own, one run at a time. The run's time,
 * memory and stack are bounded inside QuickJS; the thread keeps whatever a run costs off this process's event
 * loop, and a run that outlasts its time all the same (a built-in QuickJS cannot interrupt, a huge sort) or
 * breaks the module is ended with its thread, which the next run starts again. Every run gets an answer,
 * never an exception: a failure is a reason to record.
 */
@Injectable()
export class TransformationSandbox implements OnApplicationShutdown {
  private thread?: Promise<Worker>;
  private readonly turns = pLimit(1);
  /** Hears the reply of the run under way, from the thread it was posted to (not from one ended before). */
  private waiting?: { worker: Worker; answer: (reply: SandboxReply) => void };

  run(request: SandboxRequest): Promise<SandboxReply> {
    const queued = performance.now();
    return this.turns(async () => {
      if (performance.now() - queued > TRANSFORMATION_LIMITS.waitMs) {
        return { ok: false, reason: `the sandbox was busy: the run could not start within ${TRANSFORMATION_LIMITS.waitMs} ms` };
      }
      return this.runNow(request);
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Ends the thread (a later run starts another). */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    const worker = await thread?.catch(() => undefined);
    await worker?.terminate();
  }

  private async runNow(request: SandboxRequest): Promise<SandboxReply> {
    let worker: Worker;
    try {
      worker = await this.started();
    } catch (error) {
      return { ok: false, reason: `the sandbox could not start: ${(error as Error).message}` };
    }
    return new Promise((resolve) => {
      const answer = (reply: SandboxReply) => {
        clearTimeout(watchdog);
        this.waiting = undefined;
        resolve(reply);
      };
      const watchdog = setTimeout(() => {
        answer({ ok: false, reason: `it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms` });
        void this.close();
      }, TRANSFORMATION_LIMITS.timeMs + TRANSFORMATION_LIMITS.graceMs);
      this.waiting = { worker, answer };
      worker.postMessage(request);
    });
  }

  /** The thread, started (and its QuickJS module loaded) on first use and after one has ended. */
  private started(): Promise<Worker> {
    const starting = (this.thread ??= new Promise<Worker>((resolve, reject) => {
      const data: SandboxThreadData = {
        quickjs: createRequire(import.meta.url).resolve('quickjs-emscripten'),
        memoryBytes: TRANSFORMATION_LIMITS.memoryBytes,
        stackBytes: TRANSFORMATION_LIMITS.stackBytes,
        timeMs: TRANSFORMATION_LIMITS.timeMs,
      };
      const worker = new Worker(`(${sandboxThread.toString()})(require)`, {
        eval: true,
        workerData: data,
        resourceLimits: { stackSizeMb: TRANSFORMATION_LIMITS.threadStackMb, maxOldGenerationSizeMb: TRANSFORMATION_LIMITS.threadHeapMb },
      });
      // Never what keeps the process running.
      worker.unref();
      let ready = false;
      const answer = (reply: SandboxReply) => {
        if (this.waiting?.worker === worker) this.waiting.answer(reply);
      };
      worker.on('message', (message: SandboxReply | { ready: true }) => {
        if ('ready' in message) {
          ready = true;
          resolve(worker);
        } else if (!ready) reject(new Error(message.ok ? 'no answer' : message.reason));
        else answer(message);
      });
      worker.on('error', (error: Error) => {
        if (!ready) reject(error);
        answer({ ok: false, reason: `the sandbox failed: ${error.message}` });
      });
      worker.on('exit', (code) => {
        if (this.thread === starting) this.thread = undefined;
        if (!ready) reject(new Error(`its thread ended (${code})`));
        answer({ ok: false, reason: 'the sandbox stopped during the run' });
      });
    }));
    return starting;
  }
}
