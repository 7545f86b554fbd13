import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Svix's app-portal capabilities; a portal token without explicit ones has them all. */
export const PORTAL_CAPABILITIES = [
  'ViewBase',
  'ViewEndpointSecret',
  'ManageEndpointSecret',
  'ManageTransformations',
  'CreateAttempts',
  'ManageEndpoint',
] as const;
export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

/** Who made a request: the operator, or the holder of a portal token for one application. */
export type Principal =
  | { kind: 'operator' }
  | { kind: 'portal'; tokenId: string; appId: string; capabilities: readonly PortalCapability[]; expiresAt: Date; sessionId: string | null };

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The request's principal, as the auth guard established it. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<AuthenticatedRequest>().principal!,
);
