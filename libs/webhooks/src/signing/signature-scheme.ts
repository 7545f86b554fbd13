import { BODY_HMAC_HEADERS } from '../webhooks.constants.js';

/**
 * How deliveries are signed: Standard Webhooks (the default), or Rye's body HMAC,
 * `base64(HMAC-SHA256(secret, raw body))` in `header`, with the application's developer id in
 * `accountHeader` (null sends none). Set on an application (for all its endpoints) or on an endpoint.
 */
export type SignatureScheme = { type: 'standard-webhooks' } | { type: 'body-hmac'; header?: string; accountHeader?: string | null };

/** The body-HMAC scheme with its header names filled in. */
export interface BodyHmacSigning {
  header: string;
  accountHeader: string | null;
}

/** The endpoint's own scheme, else its application's; null means Standard Webhooks. */
export function bodyHmacSigning(endpointScheme: SignatureScheme | null, applicationScheme: SignatureScheme | null): BodyHmacSigning | null {
  const scheme = endpointScheme ?? applicationScheme;
  if (scheme?.type !== 'body-hmac') return null;
  return {
    header: scheme.header ?? BODY_HMAC_HEADERS.signature,
    accountHeader: scheme.accountHeader === undefined ? BODY_HMAC_HEADERS.account : scheme.accountHeader,
  };
}
