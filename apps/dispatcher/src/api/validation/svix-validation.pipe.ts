import { type ArgumentMetadata, Injectable, type PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import { validate } from 'class-validator';
import { assertJsonDepth, fieldErrors, plainToDto } from '@homing/webhooks';

const PLAIN_TYPES: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * Validates bodies and query strings against their DTO classes (the same classes the OpenAPI
 * document is generated from) and answers a 422 with Svix's `{ loc, msg, type }` details.
 * Unknown fields are dropped, as Svix ignores them; no body at all reads as `{}`.
 */
@Injectable()
export class SvixValidationPipe implements PipeTransform {
  async transform(value: unknown, { metatype, type }: ArgumentMetadata): Promise<unknown> {
    if ((type !== 'body' && type !== 'query') || !metatype || PLAIN_TYPES.includes(metatype)) return value;
    if (type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new UnprocessableEntityException({ detail: [{ loc: ['body'], msg: 'the body must be a JSON object', type: 'type_error' }] });
    }
    // Before anything walks the value recursively: too deep a one would overflow the stack.
    assertJsonDepth(value, [type]);
    const instance = plainToDto(metatype as new () => object, value ?? {});
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw new UnprocessableEntityException({ detail: fieldErrors(errors, [type]) });
    return instance;
  }
}
