import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
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

interface Cursor {
  key: string;
  backwards: boolean;
}

/**
 * Runs `query` for one page, keyed by a unique, sortable column (`alias.column`). Iterators are
 * opaque: the key of the first or last item, with the direction, base64url-encoded.
 */
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  keyOf: (row: T) => string,
  options: PageOptions,
  defaultOrder: SortOrder,
): Promise<Page<T>> {
  const limit = pageLimit(options.limit);
  const cursor = options.iterator ? decodeIterator(options.iterator) : null;
  const backwards = cursor?.backwards ?? false;
  // Going back through a descending list reads it ascending from the cursor, and the other way round.
  const descending = ((options.order ?? defaultOrder) === 'descending') !== backwards;
  if (cursor) query.andWhere(`${column} ${descending ? '<' : '>'} :pageKey`, { pageKey: cursor.key });
  const rows = await query.orderBy(column, descending ? 'DESC' : 'ASC').limit(limit + 1).getMany();
  const data = rows.slice(0, limit);
  if (backwards) data.reverse();
  return {
    data,
    iterator: data.length ? encodeIterator({ key: keyOf(data[data.length - 1]), backwards: false }) : null,
    prevIterator: data.length ? encodeIterator({ key: keyOf(data[0]), backwards: true }) : null,
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

function encodeIterator({ key, backwards }: Cursor): string {
  return Buffer.from(`${backwards ? '-' : '+'}${key}`, 'utf8').toString('base64url');
}

function decodeIterator(iterator: string): Cursor {
  const text = Buffer.from(iterator, 'base64url').toString('utf8');
  const cursor = { key: text.slice(1), backwards: text.startsWith('-') };
  if (!/^[+-]./s.test(text) || encodeIterator(cursor) !== iterator) {
    throw invalidField(['iterator'], 'iterator is not one this API returned');
  }
  return cursor;
}
