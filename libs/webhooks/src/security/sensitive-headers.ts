/** Header names whose values are secrets: set on an endpoint, they are sent but never shown back (as Svix does). */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}
