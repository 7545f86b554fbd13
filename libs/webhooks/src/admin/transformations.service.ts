import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EndpointEntity, type EndpointTransformation } from '../entities/index.js';
import { EndpointTransformationInput, TransformationSimulateInput } from '../inputs/transformation.input.js';
import { invalidField, validateChanges, validateInput } from '../inputs/validation.js';
import { DestinationPolicy } from '../security/destination-policy.js';
import { TransformationRunner } from '../transformation/transformation.runner.js';
import type { TransformationMethod } from '../transformation/webhook-object.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { EndpointsService } from './endpoints.service.js';

/** An endpoint's transformation as Svix shows it: none set reads as no code, disabled, never changed. */
export interface TransformationSettings {
  code: string | null;
  enabled: boolean;
  variables: Record<string, string> | null;
  updatedAt: Date | null;
}

/** What a transformation would make of a webhook: where it would go, how, with what body (as sent) and added headers. */
export interface SimulatedWebhook {
  cancel: boolean;
  url: string;
  method: TransformationMethod;
  /** The body as it would be sent (and signed). */
  payload: string;
  headers: Record<string, string>;
}

/** The kind of error a transformation's run gives a 422 on `code` with. */
const FAILED_RUN = 'value_error.transformation';

/**
 * Endpoints' transformations (Svix's `endpoint.transformation.*`): a JavaScript `handler(webhook)` run in a
 * sandbox on each delivery to the endpoint while enabled, before the delivery is signed.
 */
@Injectable()
export class TransformationsService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly runner: TransformationRunner,
    private readonly destinations: DestinationPolicy,
  ) {}

  async get(appIdOrUid: string, endpointIdOrUid: string): Promise<TransformationSettings> {
    return settingsOf((await this.endpoints.get(appIdOrUid, endpointIdOrUid)).transformation);
  }

  /**
   * Sets the fields given (a null `code` or `variables` clears it). New code must compile, run its top level
   * within the sandbox's limits and declare `handler`: a ValidationError on `code` says why not.
   */
  async update(appIdOrUid: string, endpointIdOrUid: string, changes: EndpointTransformationInput): Promise<TransformationSettings> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const valid = await validateChanges(EndpointTransformationInput, changes);
    if (valid.code != null) {
      const problem = await this.runner.problem(valid.code);
      if (problem) throw invalidField(['code'], `code is refused: ${problem}`, FAILED_RUN);
    }
    const current = settingsOf(endpoint.transformation);
    const transformation: EndpointTransformation = {
      code: valid.code !== undefined ? valid.code : current.code,
      enabled: valid.enabled ?? current.enabled,
      variables: valid.variables !== undefined ? valid.variables : current.variables,
      updatedAt: new Date().toISOString(),
    };
    await this.dataSource.getRepository(EndpointEntity).update({ id: endpoint.id }, { transformation });
    return settingsOf(transformation);
  }

  /**
   * Runs `code` on a webhook of `eventType` with `payload` to the endpoint, as a delivery would, and says what it
   * would send; nothing is stored or sent. A run that fails is a ValidationError on `code` naming why; a URL the
   * destination policy refuses, a ForbiddenDestinationError.
   */
  async simulate(appIdOrUid: string, endpointIdOrUid: string, input: TransformationSimulateInput): Promise<SimulatedWebhook> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const valid = await validateInput(TransformationSimulateInput, input);
    const source = { eventType: valid.eventType, payload: JSON.stringify(valid.payload), contentType: null };
    const result = await this.runner.transform({ code: valid.code, variables: valid.variables ?? null }, source, endpoint.url);
    if (result.kind === 'failed') throw invalidField(['code'], `code failed: ${result.reason}`, FAILED_RUN);
    if (result.kind === 'cancel') return { cancel: true, url: endpoint.url, method: 'POST', payload: source.payload, headers: {} };
    await this.destinations.assertAllowed(result.request.url);
    const { url, method, body, headers } = result.request;
    return { cancel: false, url, method, payload: body, headers };
  }
}

function settingsOf(transformation: EndpointTransformation | null): TransformationSettings {
  return {
    code: transformation?.code ?? null,
    enabled: transformation?.enabled ?? false,
    variables: transformation?.variables ?? null,
    updatedAt: transformation ? new Date(transformation.updatedAt) : null,
  };
}
