import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { EndpointEntity } from '../entities/index.js';
import { OperationalEventsService } from '../operational/operational-events.service.js';
import { OPERATIONAL_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';

/** Tracks how long an endpoint has failed without a success, and disables it past the limit. */
@Injectable()
export class EndpointHealthService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly operationalEvents: OperationalEventsService,
  ) {}

  async recordSuccess(endpoint: EndpointEntity): Promise<void> {
    if (endpoint.failingSince === null) return;
    await this.endpoints.update({ id: endpoint.id }, { failingSince: null });
  }

  async recordFailure(endpoint: EndpointEntity, at: Date): Promise<void> {
    if (endpoint.failingSince === null) {
      await this.endpoints.update({ id: endpoint.id, failingSince: IsNull() }, { failingSince: at });
      return;
    }
    if (at.getTime() - endpoint.failingSince.getTime() < this.options.disableAfterMs) return;
    await this.disable(endpoint, `failing since ${endpoint.failingSince.toISOString()}`, at);
  }

  /** Disables at once (no waiting for the failure window), e.g. for a 410 Gone. */
  async disable(endpoint: EndpointEntity, reason: string, at: Date): Promise<void> {
    const result = await this.endpoints.update(
      { id: endpoint.id, disabled: false },
      { disabled: true, disabledReason: reason, updatedAt: at },
    );
    // Only the replica whose update disabled it announces it.
    if (!result.affected) return;
    await this.operationalEvents.endpoint(OPERATIONAL_EVENT.endpointDisabled, endpoint, {
      failSince: (endpoint.failingSince ?? at).toISOString(),
      trigger: 'automatic',
    });
  }

  private get endpoints() {
    return this.dataSource.getRepository(EndpointEntity);
  }
}
