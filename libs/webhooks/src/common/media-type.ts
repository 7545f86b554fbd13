/** The longest media type accepted: room for a type, a subtype and a few parameters, and a sane header. */
export const MAX_MEDIA_TYPE_LENGTH = 255;

// RFC 7231 §3.1.1.1: type "/" subtype *( OWS ";" OWS token "=" ( token / quoted-string ) ), ASCII only
// (a header value that reaches Node's http client: no CR, LF or other control character).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);

/** Whether text is a media type as a `content-type` header carries it (`type/subtype`, parameters allowed). */
export function isMediaType(text: unknown): text is string {
  return typeof text === 'string' && text.length <= MAX_MEDIA_TYPE_LENGTH && MEDIA_TYPE.test(text);
}

/** Whether a media type says JSON: `application/json` or a `+json` subtype, whatever its parameters; none means JSON. */
export function isJsonMediaType(type: string | null | undefined): boolean {
  if (type === null || type === undefined) return true;
  const essence = type.split(';', 1)[0].trim().toLowerCase();
  return essence === 'application/json' || /^[^/]+\/[^/]*\+json$/.test(essence);
}
