import { Inject } from '@nestjs/common';
import { WEBHOOKS_DATA_SOURCE, WEBHOOKS_OPTIONS } from './webhooks.constants.js';

/** The TypeORM DataSource the webhooks module persists to. */
export const InjectWebhooksDataSource = (): ParameterDecorator => Inject(WEBHOOKS_DATA_SOURCE);
/** The module's resolved options (`ResolvedWebhooksOptions`). */
export const InjectWebhooksOptions = (): ParameterDecorator => Inject(WEBHOOKS_OPTIONS);
