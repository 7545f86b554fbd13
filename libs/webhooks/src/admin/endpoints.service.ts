import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseDuration } from '../config/duration.js';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { AttemptEntity, DeliveryEntity, EndpointEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { ConflictError, LimitReachedError, NotFoundError } from '../exceptions/homing-errors.js';
import { OperationalEventsService } from '../operational/operational-events.service.js';
import { DeliveryThrottle } from '../delivery/delivery.throttle.js';
import { DeliveryLines } from '../store/delivery-lines.js';
import { DestinationPolicy } from '../security/destination-policy.js';
import { SecretCipher } from '../security/secret-cipher.js';
import { unexpired } from '../signing/secret-rotation.js';
import { schemeOfSecret } from '../signing/schemes/registry.js';
import { bodyHmacSigning, type SignatureScheme } from '../signing/signature-scheme.js';
import { customerKey, generateSecret, isValidSecret, secretFormat } from '../signing/webhook-secret.js';
import { DEFAULT_SECRET_GRACE_PERIOD, MAX_PREVIOUS_SECRETS, OPERATIONAL_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { ApplicationsService } from './applications.service.js';
import { EndpointInput } from '../inputs/endpoint.input.js';
import { idFirst } from '../common/lookup.js';
import { mapPage, paginate, type Page, type PageOptions } from './pagination.js';
import { invalidField, validateChanges, validateInput } from '../inputs/validation.js';

@Injectable()
export class EndpointsService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly destinations: DestinationPolicy,
    private readonly secrets: SecretCipher,
    private readonly operationalEvents: OperationalEventsService,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly throttle: DeliveryThrottle,
    private readonly lines: DeliveryLines,
  ) {}

  async create(appIdOrUid: string, input: EndpointInput): Promise<EndpointEntity> {
    const application = await this.applications.get(appIdOrUid);
    const valid = await validateInput(EndpointInput, input);
    await this.destinations.assertAllowed(valid.url);
    const now = new Date();
    const endpoint: EndpointEntity = {
      id: newId('endpoint'),
      appId: application.id,
      uid: valid.uid ?? null,
      url: valid.url,
      description: valid.description ?? '',
      filterTypes: valid.filterTypes?.length ? valid.filterTypes : null,
      channels: valid.channels?.length ? valid.channels : null,
      disabled: valid.disabled ?? false,
      disabledReason: null,
      secret: this.nextSecret(valid.secret, valid.signatureScheme ?? null, application.signatureScheme),
      previousSecrets: null,
      headers: valid.headers ?? null,
      metadata: valid.metadata ?? null,
      rateLimit: valid.rateLimit ?? null,
      signatureScheme: valid.signatureScheme ?? null,
      ordering: valid.ordering ?? null,
      lineSeq: 0,
      lineHead: 0,
      transformation: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.save(() => this.repository.insert(this.secrets.sealSecrets(endpoint)), valid.uid);
    await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointCreated, endpoint);
    return endpoint;
  }

  /** By id (`ep_…`) or uid, within the application. */
  async get(appIdOrUid: string, idOrUid: string): Promise<EndpointEntity> {
    const application = await this.applications.get(appIdOrUid);
    const found = await this.repository.find({
      where: [
        { appId: application.id, id: idOrUid },
        { appId: application.id, uid: idOrUid },
      ],
      take: 2,
    });
    const endpoint = idFirst(found, idOrUid, 'uid');
    if (!endpoint) throw new NotFoundError('endpoint', idOrUid);
    return this.secrets.openSecrets(endpoint);
  }

  async list(appIdOrUid: string): Promise<EndpointEntity[]> {
    const application = await this.applications.get(appIdOrUid);
    const endpoints = await this.repository.find({ where: { appId: application.id }, order: { id: 'ASC' } });
    return endpoints.map((endpoint) => this.secrets.openSecrets(endpoint));
  }

  /** A page of the application's endpoints, oldest first unless `order` says otherwise. */
  async page(appIdOrUid: string, options: PageOptions = {}): Promise<Page<EndpointEntity>> {
    const application = await this.applications.get(appIdOrUid);
    const query = this.repository.createQueryBuilder('ep').where('ep.appId = :appId', { appId: application.id });
    const page = await paginate(query, 'ep.id', 'endpoint', options, 'ascending');
    return mapPage(page, (endpoint) => this.secrets.openSecrets(endpoint));
  }

  /**
   * Svix's upsert: replaces the endpoint, or, when there is none, creates it with `idOrUid` as its uid (an unknown
   * application stays a NotFoundError). A body naming another uid for a new endpoint is a ValidationError.
   */
  async upsert(appIdOrUid: string, idOrUid: string, input: EndpointInput): Promise<{ endpoint: EndpointEntity; created: boolean }> {
    try {
      return { endpoint: await this.update(appIdOrUid, idOrUid, input), created: false };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    if (input.uid != null && input.uid !== idOrUid) throw invalidField(['uid'], 'a new endpoint takes the uid in the path');
    return { endpoint: await this.create(appIdOrUid, { ...input, uid: idOrUid }), created: true };
  }

  /** Sets the fields given. Enabling an endpoint clears its failure history. */
  async update(appIdOrUid: string, idOrUid: string, changes: Partial<EndpointInput>): Promise<EndpointEntity> {
    const endpoint = await this.get(appIdOrUid, idOrUid);
    const valid = await validateChanges(EndpointInput, changes);
    if (valid.url !== undefined) await this.destinations.assertAllowed(valid.url);
    const updated: EndpointEntity = { ...endpoint, ...valid, updatedAt: new Date() } as EndpointEntity;
    if (valid.filterTypes !== undefined) updated.filterTypes = valid.filterTypes?.length ? valid.filterTypes : null;
    if (valid.channels !== undefined) updated.channels = valid.channels?.length ? valid.channels : null;
    if (endpoint.disabled && valid.disabled === false) {
      updated.disabledReason = null;
      updated.failingSince = null;
    }
    if (!endpoint.disabled && valid.disabled === true) updated.disabledReason = 'disabled by the user';
    if (valid.signatureScheme !== undefined || valid.secret !== undefined) {
      const { signatureScheme: applicationScheme } = await this.applications.get(appIdOrUid);
      this.assertVerifiable(updated.secret, updated.signatureScheme, applicationScheme, valid.secret !== undefined ? 'secret' : 'signatureScheme');
    }
    // Columns with writers of their own are not written back from this copy: the line's counters (moved
    // under the row's lock) and the transformation (TransformationsService).
    const { lineSeq: _seq, lineHead: _head, transformation: _transformation, ...columns } = this.secrets.sealSecrets(updated);
    await this.save(
      () =>
        this.dataSource.transaction(async (manager) => {
          await manager.update(EndpointEntity, { id: endpoint.id }, columns);
          if (valid.ordering !== undefined && (valid.ordering ?? null) !== endpoint.ordering) await this.lines.orderingChanged(manager, endpoint.id, valid.ordering === 'fifo');
        }),
      valid.uid,
    );
    await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointUpdated, updated);
    if (!endpoint.disabled && updated.disabled) {
      await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointDisabled, updated, { failSince: endpoint.failingSince?.toISOString() ?? null, trigger: 'manual' });
    }
    if (endpoint.disabled && !updated.disabled) await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointEnabled, updated);
    return updated;
  }

  async delete(appIdOrUid: string, idOrUid: string): Promise<void> {
    const endpoint = await this.get(appIdOrUid, idOrUid);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(AttemptEntity, { endpointId: endpoint.id });
      await manager.delete(DeliveryEntity, { endpointId: endpoint.id });
      await manager.delete(EndpointEntity, { id: endpoint.id });
    });
    await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointDeleted, endpoint);
  }

  /**
   * The rate the endpoint's deliveries are held to (its own, else its application's; null: none) and
   * since when some have been waiting for it (null: the limit holds none back now).
   */
  async throttlingStatus(appIdOrUid: string, idOrUid: string): Promise<{ rateLimit: number | null; throttledSince: Date | null }> {
    const endpoint = await this.get(appIdOrUid, idOrUid);
    const application = await this.applications.get(endpoint.appId);
    return { rateLimit: endpoint.rateLimit ?? application.rateLimit, throttledSince: await this.throttle.throttledSince(endpoint.id) };
  }

  /** What the customer verifies with: the `whsec_` secret itself, or the public key (`whpk_…`) of an ed25519 one. */
  async getSecret(appIdOrUid: string, idOrUid: string): Promise<string> {
    return customerKey((await this.get(appIdOrUid, idOrUid)).secret);
  }

  /**
   * Replaces the signing secret (with `secret`, or a generated one). The old secret keeps signing
   * alongside the new one for `gracePeriod` (default 24 h; 0 ends it at once), so receivers can
   * switch over without rejecting deliveries.
   */
  async rotateSecret(
    appIdOrUid: string,
    idOrUid: string,
    options: { secret?: string | null; gracePeriod?: string | number } = {},
  ): Promise<EndpointEntity> {
    if (options.secret != null && !isValidSecret(options.secret)) {
      throw invalidField(['secret'], `secret must be ${secretFormat(options.secret)}`);
    }
    const endpoint = await this.get(appIdOrUid, idOrUid);
    const now = new Date();
    const stillSigning = unexpired(endpoint.previousSecrets, now);
    if (stillSigning.length >= MAX_PREVIOUS_SECRETS) {
      throw new LimitReachedError(`${MAX_PREVIOUS_SECRETS} earlier secrets still sign for this endpoint; wait for their grace periods to end before rotating again`);
    }
    let graceMs: number;
    try {
      graceMs = parseDuration(options.gracePeriod ?? DEFAULT_SECRET_GRACE_PERIOD, 'gracePeriod');
    } catch (error) {
      throw invalidField(['gracePeriod'], (error as Error).message);
    }
    const previousSecrets = graceMs > 0 ? [{ secret: endpoint.secret, expiresAt: new Date(now.getTime() + graceMs).toISOString() }, ...stillSigning] : stillSigning;
    const { signatureScheme: applicationScheme } = await this.applications.get(appIdOrUid);
    const rotated = { secret: this.nextSecret(options.secret, endpoint.signatureScheme, applicationScheme), previousSecrets: previousSecrets.length ? previousSecrets : null, updatedAt: now };
    // Compare-and-set on updatedAt: of two rotations at once, one fails rather than losing a secret.
    const result = await this.repository.update({ id: endpoint.id, updatedAt: endpoint.updatedAt }, this.secrets.sealSecrets(rotated));
    if (!result.affected) throw new ConflictError('the endpoint changed during the rotation; try again');
    return { ...endpoint, ...rotated };
  }

  /**
   * The secret given, else a new one of the default scheme. Body-HMAC keys on the very secret the
   * receiver holds, so an endpoint signing that way needs a symmetric one.
   */
  private nextSecret(given: string | null | undefined, endpointScheme: SignatureScheme | null, applicationScheme: SignatureScheme | null): string {
    if (given == null) return generateSecret(bodyHmacSigning(endpointScheme, applicationScheme) ? 'hmac-sha256' : this.options.defaultSignature);
    this.assertVerifiable(given, endpointScheme, applicationScheme, 'secret');
    return given;
  }

  /** A body-HMAC endpoint with an asymmetric secret would sign what its receiver, holding only the public key, cannot check. */
  private assertVerifiable(secret: string, endpointScheme: SignatureScheme | null, applicationScheme: SignatureScheme | null, field: 'secret' | 'signatureScheme'): void {
    if (bodyHmacSigning(endpointScheme, applicationScheme) && !schemeOfSecret(secret).symmetric) {
      throw invalidField([field], `${field} is refused: body-HMAC signs with the secret the receiver holds, so it needs a whsec_ secret, not an ed25519 one`);
    }
  }

  private async save(write: () => Promise<unknown>, uid: string | null | undefined): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError(`an endpoint with uid "${uid}" already exists in this application`, { cause: error });
      throw error;
    }
  }

  private get repository() {
    return this.dataSource.getRepository(EndpointEntity);
  }
}
