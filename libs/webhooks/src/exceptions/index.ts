export * from './homing-errors.js';
export { HomingExceptionFilter, homingErrorResponse, type HomingErrorBody } from './homing-exception.filter.js';
