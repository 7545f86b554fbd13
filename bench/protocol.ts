/** Messages between the benchmark and its sink process. */
export type SinkRequest =
  /** Zero the counters; with `trackArrivals` remember when each webhook-id first arrived. */
  | { cmd: 'reset'; trackArrivals?: boolean }
  /** Answer once `count` requests arrived since the reset, or at `timeoutMs` with what did. */
  | { cmd: 'wait'; count: number; timeoutMs: number };

export type SinkReply =
  | { cmd: 'listening'; port: number }
  | { cmd: 'reset' }
  | {
      cmd: 'wait';
      received: number;
      verified: number;
      badSignatures: number;
      firstAt: number;
      lastAt: number;
      /** Requests with a webhook-id seen before since the reset (counted only with `trackArrivals`). */
      duplicates: number;
      arrivals?: [string, number][];
    };

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes on one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** How long the sink's `/slow/<n>` endpoints take to answer. */
export const SLOW_MS = 5;
