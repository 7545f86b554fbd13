import { type ArgumentMetadata, Injectable, type PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import { validate } from 'class-validator';
import { type InvalidField, ValidationError } from '@homing/webhooks';
import { assertJsonDepth, fieldErrors, plainToDto } from '@homing/webhooks/internal';
import { svixFieldErrors } from '../errors/svix-exception.filter.js';

const PLAIN_TYPES: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * Validates bodies and query strings against their DTO classes (the same classes the OpenAPI
 * document is generated from) and answers a 422 with Svix's `{ loc, msg, type }` details.
 * Unknown fields are dropped, as Svix ignores them; no body at all reads as `{}`.
 */
@Injectable()
export class SvixValidationPipe implements PipeTransform {
  /**
   * DTOs whose instance with no fields set passed: its validation sees only undefined values, so it depends on
   * the class alone. Most requests have an empty query string: its DTO is then validated once, not per request.
   */
  private readonly acceptEmpty = new Set<unknown>();

  async transform(value: unknown, { metatype, type }: ArgumentMetadata): Promise<unknown> {
    if ((type !== 'body' && type !== 'query') || !metatype || PLAIN_TYPES.includes(metatype)) return value;
    if (type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new UnprocessableEntityException({ detail: [{ loc: ['body'], msg: 'the body must be a JSON object', type: 'type_error' }] });
    }
    // The fields at fault, under this parameter's location (the exception filter cannot tell a POST's query from its body).
    const refuse = (fields: InvalidField[]) => new UnprocessableEntityException({ detail: svixFieldErrors(fields, type) });
    try {
      // Before anything walks the value recursively: too deep a one would overflow the stack.
      assertJsonDepth(value, type);
    } catch (error) {
      throw error instanceof ValidationError ? refuse(error.fields) : error;
    }
    const instance = plainToDto(metatype as new () => object, value ?? {});
    const empty = Object.keys(instance).length === 0;
    if (empty && this.acceptEmpty.has(metatype)) return instance;
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw refuse(fieldErrors(errors));
    if (empty) this.acceptEmpty.add(metatype);
    return instance;
  }
}
