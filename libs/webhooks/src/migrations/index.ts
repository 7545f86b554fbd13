import { CreateHomingSchema1763800000000 } from './1763800000000-create-homing-schema.js';

/** Migrations to add to a host's own DataSource when it lends one to the module. */
export const HOMING_MIGRATIONS = [CreateHomingSchema1763800000000];
