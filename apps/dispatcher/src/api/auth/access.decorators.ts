import { SetMetadata } from '@nestjs/common';
import { ACCESS_METADATA } from '../api.constants.js';
import type { PortalCapability } from './principal.js';

/**
 * Who may call a route. Without a decorator only the operator may. Portal tokens reach routes of
 * their own application (`:appId`) that allow them, with one of the capabilities listed.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'app'; capabilities: readonly PortalCapability[] }
  /** Any valid portal token; the handler itself keeps it to its application. */
  | { kind: 'portal' };

/** No token needed (health, metrics). */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies Access);

/** The operator, or a portal token of the `:appId` application holding one of `capabilities`. */
export const AppAccess = (...capabilities: PortalCapability[]) => SetMetadata(ACCESS_METADATA, { kind: 'app', capabilities } satisfies Access);

/** The operator or any portal token. */
export const PortalAccess = () => SetMetadata(ACCESS_METADATA, { kind: 'portal' } satisfies Access);

/** What reading an application's data takes. */
export const READ = 'ViewBase' satisfies PortalCapability;
/** What changing an endpoint takes. */
export const MANAGE = 'ManageEndpoint' satisfies PortalCapability;
