import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isValidEventTypeName } from '../common/event-type-pattern.js';
import { idOfSvixForm, svixFormOf, type IdKind } from '../entities/entity-id.js';
import { invalidField } from '../inputs/validation.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 250;

export type SortOrder = 'ascending' | 'descending';

/** One page of a listing, in Svix's shape: pass `iterator` (or `prevIterator`) back to move on (or back). */
export interface Page<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  /** No more items in the direction travelled. */
  done: boolean;
}

export interface PageOptions {
  /** 1 to 250; default 50. */
  limit?: number;
  /** An `iterator` or `prevIterator` of an earlier page. */
  iterator?: string | null;
  order?: SortOrder;
}

/** What a listing pages by: ids of one kind, or event-type names. */
export type PageKeyKind = IdKind | 'eventTypeName';

interface Cursor {
  key: string;
  backwards: boolean;
}

/**
 * Runs `query` for one page, keyed by a unique, sortable column (`alias.property`) holding keys of
 * `kind`. Iterators have the shape Svix gives them for that listing (see `encodeIterator`).
 */
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  kind: PageKeyKind,
  options: PageOptions,
  defaultOrder: SortOrder,
): Promise<Page<T>> {
  const limit = pageLimit(options.limit);
  const cursor = options.iterator ? decodeIterator(options.iterator, kind) : null;
  const backwards = cursor?.backwards ?? false;
  // Going back through a descending list reads it ascending from the cursor, and the other way round.
  const descending = ((options.order ?? defaultOrder) === 'descending') !== backwards;
  if (cursor) query.andWhere(`${column} ${descending ? '<' : '>'} :pageKey`, { pageKey: cursor.key });
  const rows = await query.orderBy(column, descending ? 'DESC' : 'ASC').limit(limit + 1).getMany();
  const data = rows.slice(0, limit);
  if (backwards) data.reverse();
  const property = column.slice(column.indexOf('.') + 1);
  return {
    data,
    iterator: data.length ? encodeIterator({ key: data[data.length - 1][property], backwards: false }, kind) : null,
    prevIterator: data.length ? encodeIterator({ key: data[0][property], backwards: true }, kind) : null,
    done: rows.length <= limit,
  };
}

/** Maps the items of a page, keeping its iterators. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, data: page.data.map(map) };
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalidField(['limit'], `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

/**
 * Svix's iterators: the key of the last item (of the first, after '-', to go back). An id key in
 * Svix's shape for its kind (`msg_` + 27 base62), an event-type name as it is (behind a '.' if it
 * begins with '-' or '.', which would read as a direction or as that escape). A key of neither form
 * (a row written by hand) takes the base64url form this API gave before.
 */
export function encodeIterator({ key, backwards }: Cursor, kind: PageKeyKind): string {
  const forward = kind === 'eventTypeName' ? (isValidEventTypeName(key) ? escapeName(key) : null) : svixFormOf(key, kind);
  if (forward === null) return legacyIterator({ key, backwards });
  return backwards ? `-${forward}` : forward;
}

export function decodeIterator(iterator: string, kind: PageKeyKind): Cursor {
  // The base64url form first: an iterator handed out before this shape keeps working; a name-shaped one
  // would only be misread if it were itself the canonical base64url of '+' or '-' and a name.
  const cursor = fromLegacyIterator(iterator) ?? fromIterator(iterator, kind);
  if (!cursor) throw invalidField(['iterator'], 'iterator is not one this API returned');
  return cursor;
}

function fromIterator(iterator: string, kind: PageKeyKind): Cursor | null {
  const backwards = iterator.startsWith('-');
  const forward = backwards ? iterator.slice(1) : iterator;
  const key = kind === 'eventTypeName' ? unescapeName(forward) : idOfSvixForm(forward, kind);
  return key === null ? null : { key, backwards };
}

function escapeName(name: string): string {
  return /^[-.]/.test(name) ? `.${name}` : name;
}

function unescapeName(text: string): string | null {
  const name = text.startsWith('.') ? text.slice(1) : text;
  return isValidEventTypeName(name) && escapeName(name) === text ? name : null;
}

function legacyIterator({ key, backwards }: Cursor): string {
  return Buffer.from(`${backwards ? '-' : '+'}${key}`, 'utf8').toString('base64url');
}

function fromLegacyIterator(iterator: string): Cursor | null {
  const text = Buffer.from(iterator, 'base64url').toString('utf8');
  const cursor = { key: text.slice(1), backwards: text.startsWith('-') };
  return /^[+-]./s.test(text) && legacyIterator(cursor) === iterator ? cursor : null;
}
