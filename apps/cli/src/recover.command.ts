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
  /** None when there was nothing to recover (no task was started). */
  taskId?: string;
  finished: boolean;
  messagesSent?: number;
  succeeded?: number;
  failed?: number;
  /** Deliveries to the endpoint that failed and wait on a scheduled retry: not failed for good, so not recovered (retry-now sends them). */
  retrying?: number;
}

/** What a sending task's `data` holds (the API types `data` as any JSON object, as Svix does). */
type SendingTask = Schemas['BackgroundTaskOut'] & { data: { messagesSent?: number; error?: string } };
type EndpointMessage = Schemas['EndpointMessageOut'];

const POLL_MS = 250;
/** EndpointMessageOut's status codes. */
const FAILED = 2;
const UNDER_WAY = [1, 3]; // pending, sending

/**
 * Starts the dispatcher's recovery of an endpoint (a background task that re-queues its failed
 * deliveries of messages created in the window, one attempt each) and follows only those: the
 * messages whose delivery failed are listed first, then the task is followed to its end, then those
 * messages until none is pending or sending. Deliveries still inside their retry schedule are not
 * failed, so they are neither recovered nor waited for; with no failed delivery nothing is started.
 */
export async function recover(client: DispatcherClient, request: RecoverRequest, io: CliIo): Promise<RecoverResult> {
  const endpoint = await client.get<Schemas['EndpointOut']>(path`app/${request.app}/endpoint/${request.endpoint}`);
  const base = path`app/${request.app}/endpoint/${endpoint.id}`;
  const window = { since: request.since.toISOString(), ...(request.until ? { until: request.until.toISOString() } : {}) };
  // The listing's `after` is exclusive where the recovery's `since` is inclusive.
  const messages = (status: number) =>
    client.all<EndpointMessage>(`${base}/msg`, { status, with_content: false, after: new Date(request.since.getTime() - 1).toISOString(), ...(request.until ? { before: window.until } : {}) });
  const ids = async (statuses: number[]) => new Set((await Promise.all(statuses.map(messages))).flat().map((message) => message.id));

  const queued = await ids([FAILED]);
  if (queued.size === 0) return nothingToRecover(client, base, window);
  let task = await client.post<SendingTask>(`${base}/recover`, window);
  if (!request.wait) return { taskId: task.id, finished: false, messagesSent: task.data.messagesSent };
  task = await followTask(client, task, () => progress(io, 0, queued.size, 'queueing'));
  const total = task.data.messagesSent ?? 0;
  if (total === 0) return nothingToRecover(client, base, window);

  for (;;) {
    const underWay = [...(await ids(UNDER_WAY))].filter((id) => queued.has(id)).length;
    progress(io, Math.max(0, total - underWay), total, 'attempted');
    if (underWay === 0) break;
    await sleep(POLL_MS);
  }
  if (io.interactive) io.err('');
  const failed = Math.min(total, [...(await ids([FAILED]))].filter((id) => queued.has(id)).length);
  return { taskId: task.id, finished: true, messagesSent: total, succeeded: total - failed, failed };
}

async function nothingToRecover(client: DispatcherClient, base: string, window: { since: string; until?: string }): Promise<RecoverResult> {
  const stats = await client.get<Schemas['EndpointStats']>(`${base}/stats`, window);
  return { finished: true, messagesSent: 0, succeeded: 0, failed: 0, retrying: stats.waitingRetry };
}

/** Polls a background task until it has ended; a failed task is an error. */
export async function followTask(client: DispatcherClient, task: SendingTask, onPoll: () => void): Promise<SendingTask> {
  while (task.status === 'running') {
    onPoll();
    await sleep(POLL_MS);
    task = await client.get<SendingTask>(path`background-task/${task.id}`);
  }
  if (task.status === 'failed') throw new CliError(`the ${task.task} task ${task.id} failed${task.data.error ? `: ${task.data.error}` : ''}`);
  return task;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
