/**
 * Bulk rows for `npm run bench:scale`: `INSERT … SELECT … FROM seq_A_to_B` (MariaDB's sequence engine) in
 * chunks, every value an SQL expression of the row's number, so nothing but the statement crosses the wire.
 *
 * Ids have the library's form (entity-id.ts): prefix, then 27 base62 digits of a 160-bit number whose
 * top 48 bits are the creation time (seconds since the KSUID epoch, then the millisecond). Computing that
 * per row in SQL would take 160-bit arithmetic, so the number is split: its 19 high digits come from a
 * small table computed here with BigInt, one row per minute (`scale_heads`); the 8 low digits (a number
 * below 62^8, far below 2^112, so it never changes the decoded time) are the millisecond within the
 * minute, then the row's number. Ids thus decode to their row's minute and sort in creation order.
 */
import { createConnection, type Connection } from 'mysql2/promise';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KSUID_EPOCH_SECONDS = 1_400_000_000n;
const LOW_DIGITS = 8;
const LOW_BASE = 62n ** BigInt(LOW_DIGITS);
/** Row numbers take the low digits' last nine decimal places: unique below a billion rows per table. */
const ROW_SPAN = 1_000_000_000;
const MINUTE_MS = 60_000;
const HEADS_PER_INSERT = 5_000;
/** Rows per INSERT … SELECT: one transaction each. */
const CHUNK = 50_000;

/** The 19 high base62 digits of the smallest id number created at `minuteMs` (a minute's start). */
function head(minuteMs: number): string {
  const seconds = BigInt(Math.floor(minuteMs / 1000)) - KSUID_EPOCH_SECONDS;
  const time = (seconds << 16n) | BigInt(minuteMs % 1000);
  // The first number whose low digits are all zero at or above time·2^112: any low digits keep its time.
  let value = ((time << 112n) + LOW_BASE - 1n) / LOW_BASE;
  let text = '';
  for (let i = 0; i < 27 - LOW_DIGITS; i++) {
    text = BASE62[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text;
}

/** SQL: `number` (a BIGINT expression below 62^8) in 8 base62 digits. */
function low(number: string): string {
  const digits = Array.from({ length: LOW_DIGITS }, (_, i) => `SUBSTR('${BASE62}', ((${number}) DIV ${62n ** BigInt(LOW_DIGITS - 1 - i)}) % 62 + 1, 1)`);
  return `CONCAT(${digits.join(', ')})`;
}

/** SQL: the id of `kind`'s row number `n` (BIGINT expression) created at `atMs` (ms since the epoch). */
export function idSql(prefix: string, atMs: string, n: string): string {
  return `CONCAT('${prefix}_', (SELECT head FROM scale_heads WHERE minute = (${atMs}) DIV ${MINUTE_MS}), ${low(`((${atMs}) % ${MINUTE_MS}) * ${ROW_SPAN} + (${n}) % ${ROW_SPAN}`)})`;
}

/** SQL: the id of row number `n` (BIGINT expression) of rows all created at `atMs`: one head for all. */
export function fixedIdSql(prefix: string, atMs: number, n: string): string {
  return `CONCAT('${prefix}_${head(atMs - (atMs % MINUTE_MS))}', ${low(`${(atMs % MINUTE_MS) * ROW_SPAN} + (${n}) % ${ROW_SPAN}`)})`;
}

/** The least id of rows created at or after `atMs` (ids sort by creation time). */
export function leastIdSince(prefix: string, atMs: number): string {
  return `${prefix}_${head(atMs - (atMs % MINUTE_MS))}${'0'.repeat(LOW_DIGITS)}`;
}

/** SQL: a DATETIME(3) of an expression in ms since the epoch. */
export const timeSql = (ms: string) => `FROM_UNIXTIME((${ms}) / 1000)`;

export interface FillRange {
  first: number;
  count: number;
}

export interface FillOptions {
  /** Which of the seeder's connections runs it. */
  connection?: number;
  /** Rows per statement (one transaction each). */
  chunk?: number;
  /** Tables joined to the row numbers `r.n`, e.g. `JOIN pattern p ON p.o = r.n % 20`. */
  join?: string;
}

/** A session on the bench database for bulk inserts; `parallel` connections fill tables side by side. */
export class Seeder {
  private constructor(private readonly connections: Connection[]) {}

  /** Opens the connections and writes `scale_heads` for every minute in [fromMs, toMs]. */
  static async open(url: string, parallel: number, fromMs: number, toMs: number): Promise<Seeder> {
    const connections = await Promise.all(Array.from({ length: parallel }, () => createConnection(url)));
    // Session settings only: UTC as the library writes dates; unique checks deferred where InnoDB can.
    for (const connection of connections) await connection.query("SET SESSION time_zone = '+00:00', unique_checks = 0");
    const seeder = new Seeder(connections);
    await seeder.query('CREATE TABLE scale_heads (minute INT UNSIGNED NOT NULL PRIMARY KEY, head CHAR(19) CHARACTER SET ascii COLLATE ascii_bin NOT NULL)');
    const minutes: number[] = [];
    for (let minute = Math.floor(fromMs / MINUTE_MS); minute <= Math.ceil(toMs / MINUTE_MS); minute++) minutes.push(minute);
    for (let i = 0; i < minutes.length; i += HEADS_PER_INSERT) {
      const rows = minutes.slice(i, i + HEADS_PER_INSERT).map((minute) => [minute, head(minute * MINUTE_MS)]);
      await seeder.connections[0].query('INSERT INTO scale_heads (minute, head) VALUES ?', [rows]);
    }
    return seeder;
  }

  async query<T = unknown>(sql: string, parameters: unknown[] = []): Promise<T> {
    const [rows] = await this.connections[0].query(sql, parameters);
    return rows as T;
  }

  /**
   * Inserts rows `first`…`first + count - 1` into `table`, `chunk` rows per statement: `columns` maps each
   * column to an SQL expression of `n`, the row's number (and of the tables `join` adds).
   */
  async fill(table: string, rows: FillRange, columns: Record<string, string>, options: FillOptions = {}): Promise<void> {
    const names = Object.keys(columns).map((name) => `\`${name}\``).join(', ');
    const values = Object.values(columns).join(',\n  ');
    const { first, count } = rows;
    const chunk = options.chunk ?? CHUNK;
    for (let start = first; start < first + count; start += chunk) {
      const end = Math.min(first + count, start + chunk) - 1;
      await this.connections[options.connection ?? 0].query(
        `INSERT INTO \`${table}\` (${names})\nSELECT ${values}\nFROM (SELECT seq AS n FROM seq_${start}_to_${end}) r ${options.join ?? ''}`,
      );
    }
  }

  /** The names of a table's columns, to copy its rows with some columns replaced. */
  async columns(table: string): Promise<string[]> {
    const rows = await this.query<{ name: string }[]>('SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [table]);
    return rows.map((row) => row.name);
  }

  /** Runs `fills` spread over the connections, one at a time on each. */
  async parallel(fills: ((connection: number) => Promise<unknown>)[]): Promise<void> {
    let next = 0;
    await Promise.all(
      this.connections.map(async (_, connection) => {
        while (next < fills.length) await fills[next++](connection);
      }),
    );
  }

  /**
   * Runs `work` with the secondary indexes of `tables` dropped, then adds them again (one ALTER a table,
   * tables side by side): InnoDB builds an index over rows already there by sorting them, while keeping
   * it up row by row costs more and more as the tables outgrow the buffer pool. Read from
   * information_schema, so the indexes are whatever the migrations made. Returns the builds' seconds.
   */
  async withoutSecondaryIndexes(tables: string[], work: () => Promise<void>): Promise<number> {
    const rows = await this.query<{ table: string; name: string; unique: number; column: string; part: number | null }[]>(
      `SELECT TABLE_NAME AS \`table\`, INDEX_NAME AS name, 1 - NON_UNIQUE AS \`unique\`, COLUMN_NAME AS \`column\`, SUB_PART AS part FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [tables],
    );
    const indexes = new Map<string, Map<string, { unique: boolean; columns: string[] }>>();
    for (const row of rows) {
      const ofTable = indexes.get(row.table) ?? new Map<string, { unique: boolean; columns: string[] }>();
      indexes.set(row.table, ofTable);
      const index = ofTable.get(row.name) ?? { unique: Number(row.unique) === 1, columns: [] };
      ofTable.set(row.name, index);
      index.columns.push(`\`${row.column}\`${row.part ? `(${row.part})` : ''}`);
    }
    for (const [table, ofTable] of indexes) await this.query(`ALTER TABLE \`${table}\` ${[...ofTable.keys()].map((name) => `DROP INDEX \`${name}\``).join(', ')}`);
    await work();
    const started = Date.now();
    await this.parallel(
      [...indexes].map(([table, ofTable]) => (connection: number) =>
        this.connections[connection].query(
          `ALTER TABLE \`${table}\` ${[...ofTable].map(([name, { unique, columns }]) => `ADD ${unique ? 'UNIQUE ' : ''}INDEX \`${name}\` (${columns.join(', ')})`).join(', ')}`,
        ),
      ),
    );
    return (Date.now() - started) / 1000;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.end()));
  }
}
