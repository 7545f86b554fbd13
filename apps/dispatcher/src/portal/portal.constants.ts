import { fileURLToPath } from 'node:url';

/** apps/portal/dist: from src/portal and from dist/portal alike, as both sit two levels under apps/dispatcher. */
export const PORTAL_DIST = fileURLToPath(new URL('../../../portal/dist/', import.meta.url));

/**
 * The portal's code only talks to its own origin and never runs in a frame, so an injected script
 * could neither send the token elsewhere nor a hidden frame trick a user into clicking.
 */
export const PORTAL_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
