import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { IsDescription, IsEndpointUrl, IsEventTypeFilter, IsHeaderMap, IsLabelList, IsOmittable, IsRateLimit, IsSignatureScheme, IsStringMap, IsUid, IsWebhookSecret } from './validation.js';
import type { SignatureScheme } from '../signing/signature-scheme.js';
import type { EndpointOrdering } from '../entities/endpoint.entity.js';

export class EndpointInput {
  @IsEndpointUrl()
  url: string;

  @IsOmittable()
  @IsDescription()
  description?: string;

  /** Event types to receive; a trailing `.*` matches a subtree. Leave out to receive every type. */
  @IsOptional()
  @IsEventTypeFilter()
  filterTypes?: string[] | null;

  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @IsOptional()
  @IsUid()
  uid?: string | null;

  /** `whsec_…` (HMAC) or `whsk_…` (ed25519, customers get its `whpk_` public key); leave out to have one of the `defaultSignature` scheme generated. */
  @IsOptional()
  @IsWebhookSecret()
  secret?: string;

  /** Extra headers sent with every delivery; the signature and content headers cannot be among them. */
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;

  /** Deliveries per second, enforced across all workers; leave out for the application's. */
  @IsOptional()
  @IsRateLimit()
  rateLimit?: number | null;

  /** `fifo`: deliveries one at a time, in the order their messages were accepted; null or left out: unordered. */
  @IsOptional()
  @IsIn(['fifo'], { message: "ordering must be 'fifo' or null" })
  ordering?: EndpointOrdering | null;

  /** How deliveries are signed; leave out for the application's scheme. */
  @IsOptional()
  @IsSignatureScheme()
  signatureScheme?: SignatureScheme | null;
}
