import { fileURLToPath } from 'node:url';
import { webOrigin } from '../config/dispatcher-config.js';

/** apps/portal/dist: from src/portal and from dist/portal alike, as both sit two levels under apps/dispatcher. */
export const PORTAL_DIST = fileURLToPath(new URL('../../../portal/dist/', import.meta.url));

/** How the dispatcher may be embedded in a customer's dashboard (HOMING_CORS_ORIGINS, HOMING_PORTAL_FRAME_ANCESTORS). */
export interface EmbeddingOptions {
  /** Origins whose pages may call the API from the browser; none: no CORS headers at all. */
  corsOrigins: string[];
  /** Origins whose pages may show the portal in a frame (svix-react's AppPortal); none: no page may. */
  frameAncestors: string[];
}

export const EMBEDDING_OPTIONS = Symbol('EMBEDDING_OPTIONS');

/**
 * The portal's code only talks to its own origin, so an injected script could not send the token
 * elsewhere; and only the configured dashboards may frame it, so no other page can trick a user into
 * clicking in a hidden frame. Images may also come from the origin of the link's `icon`, which the
 * portal shows as its brand mark.
 */
export function portalHeaders(frameAncestors: readonly string[], icon: unknown): Record<string, string> {
  const iconOrigin = typeof icon === 'string' ? webOrigin(icon) : undefined;
  const images = ["'self'", 'data:', ...(iconOrigin ? [iconOrigin] : [])].join(' ');
  const ancestors = frameAncestors.length ? frameAncestors.join(' ') : "'none'";
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${images}; connect-src 'self'; frame-ancestors ${ancestors}; base-uri 'none'; form-action 'none'`,
    // For browsers without CSP's frame-ancestors; it has no way to name a list of origins, so it goes when framing is allowed.
    ...(frameAncestors.length ? {} : { 'x-frame-options': 'DENY' }),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}
