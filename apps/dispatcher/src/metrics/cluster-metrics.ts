import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';

/** A cluster process asks its primary for every process's metrics with this, and gets the text back under its id. */
const REQUEST = 'homing:metrics';
const ANSWER = 'homing:metrics-text';
/** prom-client's own wait for the processes' answers is 5 s; this one only guards a lost primary. */
const ANSWER_WAIT_MS = 10_000;

interface Request {
  type: typeof REQUEST;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

let nextId = 0;
const waiting = new Map<number, (answer: Answer) => void>();

/** In a cluster's process: the metrics of all the cluster's processes, summed by the primary. */
export function clusterMetrics(): Promise<string> {
  if (waiting.size === 0) process.on('message', onAnswer);
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => settle({ type: ANSWER, id, error: `the primary did not answer within ${ANSWER_WAIT_MS} ms` }), ANSWER_WAIT_MS);
    const settle = (answer: Answer) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (waiting.size === 0) process.off('message', onAnswer);
      if (answer.text === undefined) reject(new Error(`could not gather the processes' metrics: ${answer.error}`));
      else resolve(answer.text);
    };
    waiting.set(id, settle);
    process.send!({ type: REQUEST, id } satisfies Request);
  });
}

function onAnswer(message: unknown): void {
  const answer = message as Partial<Answer>;
  if (answer?.type === ANSWER && typeof answer.id === 'number') waiting.get(answer.id)?.(answer as Answer);
}

/** In a cluster's primary: answers its processes' requests for everyone's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<Request>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const { id } = message;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}
