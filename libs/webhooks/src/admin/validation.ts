import { UnprocessableEntityException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidateBy, type ValidationError, type ValidationOptions } from 'class-validator';
import { isValidEventTypeName, isValidEventTypePattern } from '../producer/event-type-pattern.js';
import { isValidSecret } from '../signing/webhook-secret.js';

/** Caller-chosen keys (`uid`): as Svix allows them. */
export const UID_FORMAT = /^[a-zA-Z0-9\-_.]{1,256}$/;

export const IsUid = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isUid', validator: { validate: (v) => typeof v === 'string' && UID_FORMAT.test(v), defaultMessage: (a) => `${a?.property} must match ${UID_FORMAT.source}` } }, options);

export const IsEventTypeName = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isEventTypeName', validator: { validate: (v) => typeof v === 'string' && isValidEventTypeName(v), defaultMessage: (a) => `${a?.property} must be an event type name of letters, digits, '-', '_' and '.'` } },
    options,
  );

export const IsEventTypePattern = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isEventTypePattern', validator: { validate: (v) => typeof v === 'string' && isValidEventTypePattern(v), defaultMessage: (a) => `each entry of ${a?.property} must be an event type name, optionally ending in '.*'` } },
    options,
  );

export const IsWebhookSecret = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isWebhookSecret', validator: { validate: (v) => typeof v === 'string' && isValidSecret(v), defaultMessage: (a) => `${a?.property} must be base64 of 24 to 64 bytes, optionally prefixed whsec_` } },
    options,
  );

/** Flat `{ loc, msg }` details, the shape Svix gives in a 422. */
export interface FieldError {
  loc: string[];
  msg: string;
  type: string;
}

export function fieldErrors(errors: ValidationError[], path: string[] = ['body']): FieldError[] {
  return errors.flatMap((error) => [
    ...Object.entries(error.constraints ?? {}).map(([type, msg]) => ({ loc: [...path, error.property], msg, type })),
    ...fieldErrors(error.children ?? [], [...path, error.property]),
  ]);
}

/** Validates library-mode input with the same DTOs the REST API uses; 422 with field details on failure. */
export async function validateInput<T extends object>(dto: new () => T, input: unknown, skipMissing = false): Promise<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UnprocessableEntityException({ code: 'validation', detail: [{ loc: ['body'], msg: 'expected an object', type: 'type_error' }] });
  }
  const instance = plainToInstance(dto, input);
  const errors = await validate(instance, { whitelist: true, skipMissingProperties: skipMissing });
  if (errors.length > 0) {
    throw new UnprocessableEntityException({ code: 'validation', detail: fieldErrors(errors) });
  }
  return instance;
}
