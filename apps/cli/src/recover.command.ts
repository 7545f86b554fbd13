import { CliError, type CliIo } from './cli.io.js';
import { type DispatcherClient, path, type Schemas } from './dispatcher.client.js';
import { progress } from './output.js';

export interface RecoverRequest {
  app: string;
  endpoint: string;
  since: Date;
  until?: Date;
  /** Follow the recovered deliveries until each has been attempted. */
  wait: boolean;
}

export interface RecoverResult {
  taskId: string;
  finished: boolean;
  messagesSent?: number;
  succeeded?: number;
  failed?: number;
}

/** What a recovery task's `data` holds (the API types `data` as any JSON object, as Svix does). */
type RecoverTask = Schemas['BackgroundTaskOut'] & { data: { messagesSent?: number; error?: string } };

const POLL_MS = 250;

/**
 * Starts the dispatcher's recovery of an endpoint (a background task that re-queues its failed
 * deliveries), then follows it: first while it queues, then while the queued deliveries are
 * attempted (the endpoint's pending and sending deliveries in the window drain to zero). The counts
 * come from the endpoint's statistics, so other traffic to it in the window counts too.
 */
export async function recover(client: DispatcherClient, request: RecoverRequest, io: CliIo): Promise<RecoverResult> {
  const endpoint = await client.get<Schemas['EndpointOut']>(path`app/${request.app}/endpoint/${request.endpoint}`);
  const window = { since: request.since.toISOString(), ...(request.until ? { until: request.until.toISOString() } : {}) };
  const stats = () => client.get<Schemas['EndpointStats']>(path`app/${request.app}/endpoint/${endpoint.id}/stats`, window);
  const before = await stats();
  let task = await client.post<RecoverTask>(path`app/${request.app}/endpoint/${endpoint.id}/recover`, window);
  if (!request.wait) return { taskId: task.id, finished: false, messagesSent: task.data.messagesSent };

  while (task.status === 'running') {
    progress(io, 0, before.fail, 'queueing');
    await sleep(POLL_MS);
    task = await client.get<RecoverTask>(path`background-task/${task.id}`);
  }
  if (task.status === 'failed') throw new CliError(`the recovery task ${task.id} failed${task.data.error ? `: ${task.data.error}` : ''}`);
  const total = task.data.messagesSent ?? 0;
  let after = await stats();
  for (;;) {
    const outstanding = after.pending + after.sending;
    progress(io, Math.max(0, total - outstanding), total, 'attempted');
    if (outstanding === 0) break;
    await sleep(POLL_MS);
    after = await stats();
  }
  if (io.interactive) io.err('');
  const succeeded = Math.min(total, Math.max(0, after.success - before.success));
  return { taskId: task.id, finished: true, messagesSent: total, succeeded, failed: total - succeeded };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
