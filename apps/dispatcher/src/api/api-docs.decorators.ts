import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiResponse } from '@nestjs/swagger';
import { HttpErrorOut, HttpValidationError } from './dto/common.dto.js';

/** The error answers every authenticated route can give, in Svix's shapes. */
export const ApiErrors = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiExtraModels(HttpErrorOut, HttpValidationError),
    ApiResponse({ status: 401, description: 'No token, or an invalid or expired one', type: HttpErrorOut }),
    ApiResponse({ status: 403, description: 'The token may not do this (another application, or a missing capability)', type: HttpErrorOut }),
    ApiResponse({ status: 404, description: 'Not found', type: HttpErrorOut }),
    ApiResponse({ status: 409, description: 'Conflict (a duplicate uid or eventId)', type: HttpErrorOut }),
    ApiResponse({ status: 413, description: 'Request body too large', type: HttpErrorOut }),
    ApiResponse({ status: 422, description: 'Invalid input, with the fields at fault', type: HttpValidationError }),
  );
