/**
 * One way an endpoint's key signs Standard Webhooks deliveries. The secret carries its scheme in its
 * prefix (as in the Svix server), so whatever holds a secret or a verifying key asks the registry
 * which scheme it is and never branches on the kind itself.
 */
export interface SigningScheme {
  /** What the `defaultSignature` option (`HOMING_DEFAULT_SIGNATURE`) calls it. */
  readonly name: string;
  /** Signature version in `webhook-signature`, before the comma: `v1`, `v1a`. */
  readonly version: string;
  /** Prefix of the secret Homing keeps and signs with. */
  readonly secretPrefix: string;
  /** Prefix of the key a receiver verifies with: the secret's own for a symmetric scheme. */
  readonly publicPrefix: string;
  /** Whether the customer holds the signing secret itself (so body-HMAC can key on it too). */
  readonly symmetric: boolean;
  /** How a secret is written, completing "secret must be …". */
  readonly secretFormat: string;
  /** How a verifying key is written, completing "expected …". */
  readonly keyFormat: string;
  /** A new random secret, prefix included. */
  generate(): string;
  /** Whether a caller-chosen secret is well formed and usable. */
  isValid(secret: string): boolean;
  /** Whether a receiver's key is well formed for verifying. */
  isValidKey(key: string): boolean;
  /** `<version>,<base64 signature>` of `content`. */
  sign(secret: string, content: string | Buffer): string;
  /** Whether `signature` (`<version>,<base64>`) is a valid signature of `content` under the verifying key. */
  verify(key: string, content: string | Buffer, signature: string): boolean;
  /** What the customer is shown and verifies with: the secret itself, or its public key. */
  customerKey(secret: string): string;
}
