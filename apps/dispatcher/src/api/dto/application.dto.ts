import { ApiProperty, ApiPropertyOptional, PartialType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { type ApplicationEntity, type SignatureScheme } from '@homing/webhooks';
import { IsOmittable, IsShortText, IsSignatureScheme, IsStringMap, IsUid } from '@homing/webhooks/internal';
import { ListResponse, OrderedListQuery, rateLimitOf, ResourceOut, SIGNATURE_SCHEME, ThrottleIn, ToBoolean } from './common.dto.js';

const NAME: ApiPropertyOptions = { description: 'Application name for human consumption', example: 'Acme Inc.', minLength: 1, maxLength: 256 };
const UID: ApiPropertyOptions = { description: 'Your own unique identifier for the application', example: 'customer-42', type: String, nullable: true };

export class ApplicationIn extends ThrottleIn {
  @ApiProperty(NAME)
  @IsShortText()
  name: string;

  @ApiPropertyOptional(UID)
  @IsOptional()
  @IsUid()
  uid?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { plan: 'pro' } })
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string>;

  @ApiPropertyOptional(SIGNATURE_SCHEME)
  @IsOptional()
  @IsSignatureScheme()
  signatureScheme?: SignatureScheme | null;

  @ApiPropertyOptional({ description: "Homing's extension: deliver payloads in Rye's envelope `{ id, requestId, developerId, type, data, createdAt }`", default: false })
  @IsOmittable()
  @IsBoolean()
  envelope?: boolean;

  @ApiPropertyOptional({ description: "Homing's extension: the envelope's `developerId` and the account header's value; default the uid, else the id", type: String, nullable: true })
  @IsOptional()
  @IsShortText()
  developerId?: string | null;
}

/** Only the fields given change; `null` clears an optional one. */
export class ApplicationPatch extends PartialType(ApplicationIn, { skipNullProperties: false }) {}

export class ApplicationOut extends ResourceOut {
  @ApiProperty({ example: 'app_01JD3B9R8Q2W6N3V5X7Y9Z1A2B' })
  id: string;

  @ApiProperty(UID)
  uid: string | null;

  @ApiProperty(NAME)
  name: string;

  static from(application: ApplicationEntity): ApplicationOut {
    return { id: application.id, uid: application.uid, name: application.name, ...ResourceOut.of(application) };
  }
}

export class ListResponseApplicationOut extends ListResponse(ApplicationOut) {}

export class ApplicationListQuery extends OrderedListQuery {
  @ApiPropertyOptional({ description: 'Leave out applications without endpoints' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  exclude_apps_with_no_endpoints?: boolean;

  @ApiPropertyOptional({ description: 'Leave out applications whose endpoints are all disabled' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  exclude_apps_with_disabled_endpoints?: boolean;

  @ApiPropertyOptional({ description: 'Accepted for compatibility; this dispatcher has no Svix Play endpoints' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  exclude_apps_with_svix_play_endpoints?: boolean;
}

export class CreateApplicationQuery {
  @ApiPropertyOptional({ description: 'Return the application with the same `uid` (200) instead of a 409' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  get_if_exists?: boolean;
}

/** The library's input from Svix's names. */
export function applicationInput<T extends ApplicationPatch>(input: T): Omit<T, 'throttleRate' | 'rateLimit'> & { rateLimit?: number | null } {
  const { throttleRate: _throttleRate, rateLimit: _rateLimit, ...rest } = input;
  return { ...rest, rateLimit: rateLimitOf(input) };
}
