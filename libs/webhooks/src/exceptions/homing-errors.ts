/** The stable `code` of each error the library throws on purpose: match on it, or on the class. */
export type HomingErrorCode = 'not_found' | 'conflict' | 'validation' | 'payload_too_large' | 'payload_purged' | 'limit_reached' | 'forbidden_destination';

/**
 * What the library throws when a call cannot be done as asked. Plain errors, free of any transport:
 * a host catches them by class or `code`; the dispatcher, or `HomingExceptionFilter`, turns them into HTTP answers.
 */
export abstract class HomingError extends Error {
  abstract readonly code: HomingErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No application, endpoint, message, attempt or event type by that id (or uid, or name). */
export class NotFoundError extends HomingError {
  readonly code = 'not_found';

  constructor(
    /** What was looked for: `application`, `endpoint`, ... */
    readonly what: string,
    /** The id, uid or name it was looked for by. */
    readonly which: string,
  ) {
    super(`${what} "${which}" not found`);
  }
}

/** The change clashes with what is stored: a uid or eventId taken, an attempt in progress, a concurrent change. */
export class ConflictError extends HomingError {
  readonly code = 'conflict';
}

/** One value at fault: `path` names it within the input given (`['headers', 'X-Trace']`), `[]` for the input itself. */
export interface InvalidField {
  path: string[];
  message: string;
  /** What kind of rule it broke (`isUrl`, `value_error.depth`, ...). */
  type: string;
}

/** The input breaks the rules of its fields; `fields` lists each value at fault. */
export class ValidationError extends HomingError {
  readonly code = 'validation';

  constructor(readonly fields: InvalidField[]) {
    super(fields.map((field) => field.message).join('; '));
  }
}

/** A message's payload is larger than `maxPayloadBytes`. */
export class PayloadTooLargeError extends HomingError {
  readonly code = 'payload_too_large';

  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the payload is ${size} bytes; the limit is ${limit} bytes (maxPayloadBytes / HOMING_MAX_PAYLOAD)`);
  }
}

/** A message asked to be sent again whose payload was purged after its retention period: it is gone. */
export class PayloadPurgedError extends HomingError {
  readonly code = 'payload_purged';

  constructor(
    readonly msgId: string,
    readonly purgedAt: Date,
  ) {
    super(`the payload of message "${msgId}" was purged on ${purgedAt.toISOString()} (past its retention period); it cannot be sent again`);
  }
}

/** A bound on how much of something may exist at once is reached (e.g. earlier secrets still signing); wait, then retry. */
export class LimitReachedError extends HomingError {
  readonly code = 'limit_reached';
}

/**
 * What a refused destination is, coarse enough to tell the endpoint's owner (`reason` has the operator's detail):
 * `scheme` not https while httpsOnly is set; else the kind of address, `local` (this machine), `private` (a
 * private network) or `reserved` (any other range off the public internet).
 */
export interface RefusedDestination {
  kind: 'scheme' | 'local' | 'private' | 'reserved';
  /** The host name whose address was refused, when the URL named one. */
  host?: string;
}

/**
 * A destination the policy refuses (SSRF protection): an endpoint URL when it is saved, or the address a
 * connection resolves to, before any request is made.
 */
export class ForbiddenDestinationError extends HomingError {
  readonly code = 'forbidden_destination';

  constructor(
    readonly reason: string,
    readonly destination: RefusedDestination,
  ) {
    super(`refused: ${reason}; no request was made`);
  }
}
