/** Event-type names: hierarchical, dot-separated (`route.optimized.Example.673f48`). */
const EVENT_TYPE_NAME = /^[a-zA-Z0-9\-_.]{1,256}$/;
/** A filter entry: a name, or a name whose last segment is the wildcard (`route.optimized.*`). */
const EVENT_TYPE_PATTERN = /^(?:[a-zA-Z0-9\-_]+\.)*(?:[a-zA-Z0-9\-_]+|\*)$/;

export function isValidEventTypeName(name: string): boolean {
  return EVENT_TYPE_NAME.test(name);
}

export function isValidEventTypePattern(pattern: string): boolean {
  return pattern.length <= 256 && EVENT_TYPE_PATTERN.test(pattern);
}

/** Whether `type` matches one pattern: exactly, or below a trailing `.*`. */
export function matchesEventTypePattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Whether an endpoint's filter lets `type` through; no filter (or an empty one) lets everything through. */
export function filterAccepts(filter: readonly string[] | null | undefined, type: string): boolean {
  return !filter?.length || filter.some((pattern) => matchesEventTypePattern(pattern, type));
}

/** An endpoint with channels only hears messages on one of them; one without hears all. */
export function channelsAccept(endpointChannels: readonly string[] | null | undefined, messageChannels: readonly string[] | null | undefined): boolean {
  return !endpointChannels?.length || (messageChannels ?? []).some((channel) => endpointChannels.includes(channel));
}
