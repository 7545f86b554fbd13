import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { IsIntIn, IsShortText } from '@homing/webhooks/internal';
import { PORTAL_TOKEN_DEFAULT_EXPIRY_S, PORTAL_TOKEN_MAX_EXPIRY_S } from '../api.constants.js';
import { PORTAL_CAPABILITIES, type PortalCapability } from '../auth/principal.js';
import { ApplicationIn, ApplicationOut } from './application.dto.js';

export class AppPortalAccessIn {
  @ApiPropertyOptional({ type: () => ApplicationIn, nullable: true, description: 'Creates the application (whose `uid` must be the one in the path) if it does not exist' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApplicationIn)
  application?: ApplicationIn | null;

  @ApiPropertyOptional({ description: 'Seconds the token is valid', default: PORTAL_TOKEN_DEFAULT_EXPIRY_S, minimum: 1, maximum: PORTAL_TOKEN_MAX_EXPIRY_S, nullable: true })
  @IsOptional()
  @IsIntIn(1, PORTAL_TOKEN_MAX_EXPIRY_S)
  expiry?: number | null;

  @ApiPropertyOptional({ enum: PORTAL_CAPABILITIES, isArray: true, nullable: true, description: 'What the token may do (all when left out); ViewBase is always included' })
  @IsOptional()
  @IsArray()
  @IsIn(PORTAL_CAPABILITIES, { each: true })
  capabilities?: PortalCapability[] | null;

  @ApiPropertyOptional({ deprecated: true, nullable: true, description: 'true: read-only (ViewBase only)' })
  @IsOptional()
  @IsBoolean()
  readOnly?: boolean | null;

  @ApiPropertyOptional({ type: [String], maxItems: 25, description: 'Accepted for compatibility; not enforced' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(25)
  @IsShortText({ each: true })
  featureFlags?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Lets expire-all end only this session\'s tokens' })
  @IsOptional()
  @IsShortText()
  sessionId?: string | null;
}

export class AppPortalAccessOut {
  @ApiProperty({ description: 'A link carrying the token in its fragment' })
  url: string;

  @ApiProperty({ description: 'Bearer token for this one application\'s API' })
  token: string;
}

/** What the consumer portal learns about the token it was opened with. */
export class PortalSessionOut {
  @ApiProperty({ type: () => ApplicationOut, description: 'The one application the token reaches' })
  app: ApplicationOut;

  @ApiProperty({ enum: PORTAL_CAPABILITIES, isArray: true })
  capabilities: readonly PortalCapability[];

  @ApiProperty({ description: 'When the token stops working (unless revoked sooner)' })
  expiresAt: Date;
}

export class ApplicationTokenExpireIn {
  @ApiPropertyOptional({ description: 'Seconds until the tokens expire (0: now)', default: 0, minimum: 0, maximum: PORTAL_TOKEN_MAX_EXPIRY_S, nullable: true })
  @IsOptional()
  @IsIntIn(0, PORTAL_TOKEN_MAX_EXPIRY_S)
  expiry?: number | null;

  @ApiPropertyOptional({ type: [String], maxItems: 1000, description: 'Only tokens of these sessions' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsShortText({ each: true })
  sessionIds?: string[];
}
