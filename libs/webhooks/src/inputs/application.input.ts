import { IsBoolean, IsOptional } from 'class-validator';
import type { SignatureScheme } from '../signing/signature-scheme.js';
import { IsOmittable, IsRateLimit, IsShortText, IsSignatureScheme, IsStringMap, IsUid } from './validation.js';

export class ApplicationInput {
  @IsShortText()
  name: string;

  @IsOptional()
  @IsUid()
  uid?: string | null;

  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string>;

  @IsOptional()
  @IsRateLimit()
  rateLimit?: number | null;

  /** How deliveries to the application's endpoints are signed (an endpoint may set its own). Default Standard Webhooks. */
  @IsOptional()
  @IsSignatureScheme()
  signatureScheme?: SignatureScheme | null;

  /** Wrap payloads in Rye's envelope `{ id, requestId, developerId, type, data, createdAt }`. Default false. */
  @IsOmittable()
  @IsBoolean()
  envelope?: boolean;

  /** The envelope's `developerId` and the account header's value; default the uid, else the id. */
  @IsOptional()
  @IsShortText()
  developerId?: string | null;
}
