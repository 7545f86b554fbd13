import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional } from 'class-validator';
import type { SimulatedWebhook, TransformationMethod, TransformationSettings } from '@homing/webhooks';
import { IsEventTypeName, IsLabelList, IsOmittable, IsTransformationCode, IsTransformationVariables, TRANSFORMATION_LIMITS, TRANSFORMATION_METHODS } from '@homing/webhooks/internal';

const CODE: ApiPropertyOptions = {
  type: String,
  minLength: TRANSFORMATION_LIMITS.minCodeLength,
  maxLength: TRANSFORMATION_LIMITS.maxCodeLength,
  description: 'JavaScript declaring `function handler(webhook) { ... return webhook; }`',
  example: 'function handler(webhook) { webhook.payload.total = webhook.payload.total / 100; return webhook; }',
};
const VARIABLES: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { type: 'string' },
  nullable: true,
  description: `Homing: strings the handler gets as its second argument, \`handler(webhook, variables)\` (at most ${TRANSFORMATION_LIMITS.maxVariables})`,
  example: { region: 'eu' },
};

export class EndpointTransformationOut {
  @ApiProperty({ ...CODE, nullable: true })
  code: string | null;

  @ApiProperty({ default: false, description: 'Deliveries to the endpoint run it only while enabled' })
  enabled: boolean;

  @ApiProperty(VARIABLES)
  variables: Record<string, string> | null;

  @ApiProperty({ type: Date, nullable: true, description: 'When it last changed; null: never set' })
  updatedAt: Date | null;

  static from(settings: TransformationSettings): EndpointTransformationOut {
    return { code: settings.code, enabled: settings.enabled, variables: settings.variables, updatedAt: settings.updatedAt };
  }
}

/** Only the fields given change; a null `code` or `variables` clears it. */
export class EndpointTransformationPatch {
  @ApiPropertyOptional({ ...CODE, nullable: true, description: `${CODE.description}; it must compile and declare \`handler\`. null: none` })
  @IsOptional()
  @IsTransformationCode()
  code?: string | null;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional(VARIABLES)
  @IsOptional()
  @IsTransformationVariables()
  variables?: Record<string, string> | null;
}

export class TransformationSimulateIn {
  @ApiProperty(CODE)
  @IsTransformationCode()
  code: string;

  @ApiProperty({ example: 'order.completed' })
  @IsEventTypeName()
  eventType: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { id: 'ord_1', total: 1250 } })
  @IsObject({ message: 'payload must be a JSON object' })
  payload: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Accepted as Svix takes it; the handler is not given it' })
  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  @ApiPropertyOptional(VARIABLES)
  @IsOptional()
  @IsTransformationVariables()
  variables?: Record<string, string> | null;
}

export class TransformationSimulateOut {
  @ApiProperty({ description: 'Where the webhook would be sent' })
  url: string;

  @ApiProperty({ description: 'The body as it would be sent, and signed' })
  payload: string;

  @ApiProperty({ enum: TRANSFORMATION_METHODS, nullable: true })
  method: TransformationMethod | null;

  @ApiProperty({ description: 'The handler called the delivery off: nothing would be sent' })
  cancel: boolean;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Homing extension: the headers the handler added' })
  headers: Record<string, string>;

  static from(webhook: SimulatedWebhook): TransformationSimulateOut {
    return { url: webhook.url, payload: webhook.payload, method: webhook.method, cancel: webhook.cancel, headers: webhook.headers };
  }
}
