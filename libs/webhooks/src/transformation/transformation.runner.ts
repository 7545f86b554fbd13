import { Injectable } from '@nestjs/common';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import type { EndpointEntity } from '../entities/index.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import { TransformationSandbox } from './transformation.sandbox.js';
import { transformedRequest, webhookInput, type TransformationResult, type WebhookSource } from './webhook-object.js';

/** A transformation as it runs: its code and its variables. */
export interface TransformationScript {
  code: string;
  variables: Record<string, string> | null;
}

/** Runs endpoints' transformations in the sandbox and reads what they return as Svix's contract says. */
@Injectable()
export class TransformationRunner {
  constructor(
    private readonly sandbox: TransformationSandbox,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
  ) {}

  /** The transformation deliveries to this endpoint run: null without one, or while it is disabled. */
  static activeOn(endpoint: Pick<EndpointEntity, 'transformation'>): TransformationScript | null {
    const transformation = endpoint.transformation;
    return transformation?.enabled && transformation.code !== null ? { code: transformation.code, variables: transformation.variables } : null;
  }

  /** Why code cannot be a transformation (it does not compile, its top level throws, it has no `handler`), or null. */
  async problem(code: string): Promise<string | null> {
    const reply = await this.sandbox.run({ mode: 'check', code, input: '{}', variables: '{}', maxPayloadLength: 0 });
    return reply.ok ? null : reply.reason;
  }

  /** What the script makes of a webhook from `source` to `url`: a request to send, a cancellation, or why it failed. */
  async transform(script: TransformationScript, source: WebhookSource, url: string): Promise<TransformationResult> {
    const reply = await this.sandbox.run({
      mode: 'run',
      code: script.code,
      input: webhookInput(source, url),
      variables: JSON.stringify(script.variables ?? {}),
      maxPayloadLength: this.options.maxPayloadBytes,
    });
    if (!reply.ok) return { kind: 'failed', reason: reply.reason };
    return transformedRequest(reply.output!, source, url, this.options.maxPayloadBytes);
  }
}
