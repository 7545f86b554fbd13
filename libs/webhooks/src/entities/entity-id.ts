import { monotonicFactory } from 'ulid';
import { ID_PREFIX } from '../webhooks.constants.js';

const ulid = monotonicFactory();

/** A prefixed, time-sortable id such as `msg_01JD3…` (ULID: sorts by creation time). */
export function newId(kind: keyof typeof ID_PREFIX): string {
  return `${ID_PREFIX[kind]}_${ulid()}`;
}
