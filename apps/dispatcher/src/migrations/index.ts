import { CreateDispatcherRecords1764800000000 } from './1764800000000-create-dispatcher-records.js';

/** Run after the library's, on the same database; recorded in their own table (see dispatcher.database.ts). */
export const DISPATCHER_MIGRATIONS = [CreateDispatcherRecords1764800000000];
