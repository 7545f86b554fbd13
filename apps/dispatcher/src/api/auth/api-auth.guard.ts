import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApplicationsService } from '@homing/webhooks';
import type { Request } from 'express';
import { ACCESS_METADATA, API_OPTIONS, type ApiOptions } from '../api.constants.js';
import type { Access } from './access.decorators.js';
import { PortalTokensService } from './portal-tokens.service.js';
import type { AuthenticatedRequest, Principal } from './principal.js';
import { sameToken } from '../hashing.js';

/**
 * `Authorization: Bearer <token>` on every route but the public ones. The operator's token reaches
 * everything; a portal token only the routes that allow it, of its own application: any other
 * application is a 403 whether it exists or not, so nothing about it leaks.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    private readonly portalTokens: PortalTokensService,
    private readonly applications: ApplicationsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    if (access?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException('send the token as "Authorization: Bearer <token>"');
    const principal: Principal | null = sameToken(token, this.options.apiToken) ? { kind: 'operator' } : await this.portalTokens.verify(token);
    if (!principal) throw new UnauthorizedException('the token is invalid or has expired');
    request.principal = principal;
    if (principal.kind === 'operator' || access?.kind === 'portal') return true;
    if (!access) throw new ForbiddenException('this operation needs the operator token');
    // Authorised by the application the path resolves to, never by the path string; handlers then act
    // on that resolved id, so nothing downstream can resolve the path to another application.
    const path = request.params.appId;
    const application = typeof path === 'string' ? await this.applications.find(path) : null;
    if (application?.id !== principal.appId) throw new ForbiddenException('this token is for another application');
    request.params.appId = application.id;
    if (!access.capabilities.some((capability) => principal.capabilities.includes(capability))) {
      throw new ForbiddenException(`this token lacks the capability for this operation (${access.capabilities.join(' or ')})`);
    }
    return true;
  }
}
