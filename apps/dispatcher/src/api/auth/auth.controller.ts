import { Body, Controller, ForbiddenException, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApplicationsService } from '@homing/webhooks';
import { API_OPTIONS, API_PREFIX, PORTAL_TOKEN_DEFAULT_EXPIRY_S, type ApiOptions } from '../api.constants.js';
import { ApiErrors } from '../api-docs.decorators.js';
import { applicationOrCreate } from '../application-lookup.js';
import { ApplicationOut } from '../dto/application.dto.js';
import { AppPortalAccessIn, AppPortalAccessOut, ApplicationTokenExpireIn, PortalSessionOut } from '../dto/auth.dto.js';
import { WhoamiOut } from '../dto/statistics.dto.js';
import { PortalAccess } from './access.decorators.js';
import { PortalTokensService } from './portal-tokens.service.js';
import { CurrentPrincipal, PORTAL_CAPABILITIES, type PortalCapability, type Principal } from './principal.js';

@ApiTags('Authentication')
@ApiErrors()
@Controller(`${API_PREFIX}/auth`)
export class AuthController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly portalTokens: PortalTokensService,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  @Post('app-portal-access/:appId')
  @HttpCode(200)
  @ApiOperation({
    summary: "A token (and link) for one application's consumer portal",
    description: 'The token reaches only this application, with the capabilities asked for (all by default), for `expiry` seconds (1 hour by default).',
  })
  @ApiOkResponse({ type: AppPortalAccessOut })
  async appPortalAccess(@Param('appId') appId: string, @Body() body: AppPortalAccessIn, @Req() request: Request): Promise<AppPortalAccessOut> {
    const application = await applicationOrCreate(this.applications, appId, body.application, ['body', 'application']);
    const token = await this.portalTokens.issue(application.id, {
      expirySeconds: body.expiry ?? PORTAL_TOKEN_DEFAULT_EXPIRY_S,
      capabilities: capabilitiesOf(body),
      sessionId: body.sessionId,
    });
    // The token travels in the fragment, which browsers do not send to servers (or their logs).
    return { url: `${this.options.portalUrl ?? `${request.protocol}://${request.get('host')}/portal`}#key=${token}`, token };
  }

  @Get('whoami')
  @PortalAccess()
  @ApiOperation({ summary: 'Whom the token of this request stands for: the operator, or a portal token and its application' })
  @ApiOkResponse({ type: WhoamiOut })
  whoami(@CurrentPrincipal() principal: Principal): WhoamiOut {
    return WhoamiOut.from(principal);
  }

  @Get('portal-session')
  @PortalAccess()
  @ApiOperation({ summary: 'The application, capabilities and expiry of the portal token this request is made with' })
  @ApiOkResponse({ type: PortalSessionOut })
  async portalSession(@CurrentPrincipal() principal: Principal): Promise<PortalSessionOut> {
    if (principal.kind !== 'portal') throw new ForbiddenException('only a portal token has a session; the operator token reaches every application');
    return { app: ApplicationOut.from(await this.applications.get(principal.appId)), capabilities: principal.capabilities, expiresAt: principal.expiresAt };
  }

  @Post('logout')
  @HttpCode(204)
  @PortalAccess()
  @ApiOperation({ summary: 'Revoke the portal token this request is made with' })
  @ApiNoContentResponse()
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.kind !== 'portal') throw new ForbiddenException('only a portal token can log out; the operator token is configured, not issued');
    await this.portalTokens.revoke(principal.tokenId);
  }

  @Post('app/:appId/expire-all')
  @HttpCode(204)
  @ApiOperation({ summary: "Expire the application's portal tokens (after `expiry` seconds; now by default)" })
  @ApiNoContentResponse()
  async expireAll(@Param('appId') appId: string, @Body() body: ApplicationTokenExpireIn): Promise<void> {
    const application = await this.applications.get(appId);
    await this.portalTokens.expireAll(application.id, body.expiry ?? 0, body.sessionIds);
  }
}

/** ViewBase always; the rest as asked (read-only: nothing more), all when nothing is asked. */
function capabilitiesOf(body: AppPortalAccessIn): PortalCapability[] {
  const asked = body.capabilities ?? (body.readOnly ? [] : PORTAL_CAPABILITIES);
  return [...new Set<PortalCapability>(['ViewBase', ...asked])];
}
