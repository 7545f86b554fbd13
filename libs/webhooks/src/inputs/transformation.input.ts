import { IsBoolean, IsObject, IsOptional } from 'class-validator';
import { IsEventTypeName, IsLabelList, IsOmittable, IsTransformationCode, IsTransformationVariables } from './validation.js';

/** A change to an endpoint's transformation: only the fields given change; a null `code` or `variables` clears it. */
export class EndpointTransformationInput {
  /** JavaScript declaring `function handler(webhook) { ... return webhook; }`. */
  @IsOptional()
  @IsTransformationCode()
  code?: string | null;

  /** Whether deliveries to the endpoint run it (default false). */
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  /** Strings the handler gets as its second argument, `handler(webhook, variables)`. */
  @IsOptional()
  @IsTransformationVariables()
  variables?: Record<string, string> | null;
}

/** A transformation run on a payload of your choosing, to see what it would send to the endpoint. */
export class TransformationSimulateInput {
  @IsTransformationCode()
  code: string;

  @IsEventTypeName()
  eventType: string;

  @IsObject({ message: 'payload must be a JSON object' })
  payload: Record<string, unknown>;

  /** Accepted as Svix's simulation takes them; the handler is not given them. */
  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  @IsOptional()
  @IsTransformationVariables()
  variables?: Record<string, string> | null;
}
