import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import cluster from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HOMING_EVENT, StatusService, type AttemptMadeEvent } from '@homing/webhooks';
import { clusterMetrics } from './cluster-metrics.js';

/**
 * Prometheus metrics of this dispatcher process (its own registry, so several apps in one process do not
 * collide). In a cluster (HOMING_PROCESSES) a scrape reaches one process, which answers with every
 * process's metrics summed by the primary (see `scrape`); the gauges read from MariaDB and Redis are the
 * same in every process, so they are taken once.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('HomingMetrics');

  private readonly messagesCreated = new Counter({
    name: 'homing_messages_created_total',
    help: 'Messages stored for delivery',
    registers: [this.registry],
  });

  private readonly attempts = new Counter({
    name: 'homing_delivery_attempts_total',
    help: 'HTTP delivery attempts by outcome (success: a 2xx answer)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly attemptDuration = new Histogram({
    name: 'homing_attempt_duration_seconds',
    help: 'How long receivers took to answer an attempt',
    labelNames: ['outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });

  private readonly deliveryLatency = new Histogram({
    name: 'homing_delivery_latency_seconds',
    help: 'From when a message was due (created, or its deliverAt) to its successful delivery to an endpoint, retries included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000, 86400],
    registers: [this.registry],
  });

  constructor(private readonly status: StatusService) {
    collectDefaultMetrics({ register: this.registry });
    if (cluster.isWorker) {
      // Constructing one makes this process answer the primary's requests for its metrics.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
    }
    // Read at each scrape.
    const queueJobs: Gauge<'state'> = new Gauge({
      name: 'homing_queue_jobs',
      help: 'Jobs in the delivery queue (Redis) by state',
      labelNames: ['state'],
      registers: [this.registry],
      aggregator: 'first',
      collect: () =>
        this.sample('queue depth', async () => {
          for (const [state, count] of Object.entries(await this.status.queueDepth())) queueJobs.set({ state }, count);
        }),
    });
    const owed: Gauge = new Gauge({
      name: 'homing_deliveries_owed',
      help: 'Deliveries pending or being sent (MariaDB)',
      registers: [this.registry],
      aggregator: 'first',
      collect: () => this.sample('owed deliveries', async () => owed.set(await this.status.owedDeliveries())),
    });
  }

  /** This process's metrics, or in a cluster every process's. */
  async scrape(): Promise<string> {
    return cluster.isWorker ? clusterMetrics() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  @OnEvent(HOMING_EVENT.messageCreated)
  messageCreated(): void {
    this.messagesCreated.inc();
  }

  @OnEvent(HOMING_EVENT.attemptMade)
  attemptMade({ attempt, messageDueAt }: AttemptMadeEvent): void {
    this.attempts.inc({ outcome: attempt.status });
    this.attemptDuration.observe({ outcome: attempt.status }, attempt.responseDurationMs / 1000);
    if (attempt.status === 'success') this.deliveryLatency.observe(Math.max(0, attempt.createdAt.getTime() - messageDueAt.getTime()) / 1000);
  }

  /** A scrape still answers when a store is down; the gauge keeps its last value. */
  private async sample(what: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch (error) {
      this.logger.warn(`could not read ${what}: ${(error as Error).message}`);
    }
  }
}
