import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** The hour a datetime falls in. */
const hourOf = (at: string) => `CAST(DATE_FORMAT(${at}, '%Y-%m-%d %H:00:00') AS DATETIME)`;
/** The five minutes (STATISTICS_PERIODS' finest) a datetime falls in. */
const fiveMinutesOf = (at: string) => `(${hourOf(at)} + INTERVAL (MINUTE(${at}) DIV 5 * 5) MINUTE)`;
/** A delivery's status as counted (DeliveryCountStatus): one being sent counts as what it was claimed from. */
const countedStatus = (row: string) =>
  `CASE WHEN ${row}.\`status\` IN ('pending', 'sending') THEN IF(${row}.\`attempts\` > 0 AND ${row}.\`trigger\` = 'scheduled', 'retrying', 'pending') ELSE ${row}.\`status\` END`;
/** The event type of an attempt's message; '' once the message is gone (a row retention must delete attempts first). */
const eventTypeOf = (row: string) => `COALESCE((SELECT m.\`eventType\` FROM \`homing_messages\` m WHERE m.\`id\` = ${row}.\`msgId\`), '')`;

/** A group counted already by an earlier range of rows (the backfill's) is added to. */
const ADD_COUNTS = 'ON DUPLICATE KEY UPDATE `count` = `count` + VALUES(`count`)';

const CHANGE_COLUMNS = '(`kind`, `appId`, `endpointId`, `eventType`, `bucket`, `status`, `delta`)';
const deliveryChange = (row: string, delta: number) => `('delivery', ${row}.\`appId\`, ${row}.\`endpointId\`, '', ${hourOf(`${row}.\`createdAt\``)}, ${countedStatus(row)}, ${delta})`;
const attemptChange = (row: string, delta: number) =>
  `('attempt', ${row}.\`appId\`, ${row}.\`endpointId\`, ${eventTypeOf(row)}, ${fiveMinutesOf(`${row}.\`createdAt\``)}, ${row}.\`status\`, ${delta})`;

const TRIGGERS = {
  homing_deliveries_count_insert: `AFTER INSERT ON \`homing_deliveries\` FOR EACH ROW INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${deliveryChange('NEW', 1)}`,
  // Only a change of what is counted writes: a claim (pending to sending) or a retry-now writes nothing.
  homing_deliveries_count_update:
    `AFTER UPDATE ON \`homing_deliveries\` FOR EACH ROW ` +
    `IF NOT (OLD.\`appId\` <=> NEW.\`appId\` AND OLD.\`endpointId\` <=> NEW.\`endpointId\` AND ${hourOf('OLD.`createdAt`')} <=> ${hourOf('NEW.`createdAt`')} AND ${countedStatus('OLD')} <=> ${countedStatus('NEW')}) THEN ` +
    `INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${deliveryChange('OLD', -1)}, ${deliveryChange('NEW', 1)}; END IF`,
  homing_deliveries_count_delete: `AFTER DELETE ON \`homing_deliveries\` FOR EACH ROW INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${deliveryChange('OLD', -1)}`,
  homing_attempts_count_insert: `AFTER INSERT ON \`homing_attempts\` FOR EACH ROW INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${attemptChange('NEW', 1)}`,
  // Attempts are not changed but for their response (expunge-content); a hand-made fix of a key is counted all the same.
  homing_attempts_count_update:
    `AFTER UPDATE ON \`homing_attempts\` FOR EACH ROW ` +
    `IF NOT (OLD.\`appId\` <=> NEW.\`appId\` AND OLD.\`endpointId\` <=> NEW.\`endpointId\` AND OLD.\`msgId\` <=> NEW.\`msgId\` AND OLD.\`status\` <=> NEW.\`status\` AND ${fiveMinutesOf('OLD.`createdAt`')} <=> ${fiveMinutesOf('NEW.`createdAt`')}) THEN ` +
    `INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${attemptChange('OLD', -1)}, ${attemptChange('NEW', 1)}; END IF`,
  homing_attempts_count_delete: `AFTER DELETE ON \`homing_attempts\` FOR EACH ROW INSERT INTO \`homing_count_changes\` ${CHANGE_COLUMNS} VALUES ${attemptChange('OLD', -1)}`,
};

/**
 * Statistics from aggregates instead of counting rows (issue 17). Triggers on homing_deliveries and
 * homing_attempts append every change of a count to homing_count_changes, in the writer's transaction,
 * whatever the path (producer, worker, recovery's set-based UPDATEs, deletes); the statistics folder
 * (statistics/counts.folder.ts) folds them into homing_delivery_counts and homing_attempt_counts (the
 * latter twice: per five minutes and per hour, so a long window reads 12 times fewer rows).
 * Existing rows are counted into the aggregates here, so an upgraded database shows the same numbers.
 *
 * Creating triggers needs the TRIGGER privilege on these tables; with binary logging on, a user without
 * SUPER also needs the server's `log_bin_trust_function_creators=1`.
 *
 * The index on (endpointId, status, nextAttemptAt) makes an endpoint's next attempt (MIN over its
 * pending deliveries) one index dive.
 */
export class AddStatisticsCounts1765300000000 implements MigrationInterface {
  /**
   * Existing rows counted per statement. One GROUP BY over a whole big table spills its temporary table to
   * disk and slows as it grows; ranges of this many rows group in memory (0.07 s for 10,000 attempts). On
   * 2 million attempts and 1 million deliveries the migration took 36 s this way, 46 s in one statement each.
   */
  static countRangeRows = 10_000;

  name = 'AddStatisticsCounts1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await exactCollation(queryRunner);
    const table = `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`;
    await queryRunner.query(
      'CREATE TABLE `homing_count_changes` (`id` bigint NOT NULL AUTO_INCREMENT, `kind` varchar(8) NOT NULL, `appId` varchar(40) NOT NULL, `endpointId` varchar(40) NOT NULL, ' +
        '`eventType` varchar(256) NOT NULL, `bucket` datetime NOT NULL, `status` varchar(16) NOT NULL, `delta` int NOT NULL, ' +
        `INDEX \`IDX_homing_count_changes_app\` (\`appId\`, \`kind\`, \`bucket\`), PRIMARY KEY (\`id\`)) ${table}`,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_delivery_counts` (`endpointId` varchar(40) NOT NULL, `hour` datetime NOT NULL, `status` varchar(16) NOT NULL, `appId` varchar(40) NOT NULL, `count` bigint NOT NULL, ' +
        'INDEX `IDX_homing_delivery_counts_app` (`appId`, `hour`), INDEX `IDX_homing_delivery_counts_status` (`status`), ' +
        `PRIMARY KEY (\`endpointId\`, \`status\`, \`hour\`, \`appId\`)) ${table}`,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_attempt_counts` (`appId` varchar(40) NOT NULL, `span` tinyint NOT NULL, `bucket` datetime NOT NULL, `endpointId` varchar(40) NOT NULL, `eventType` varchar(256) NOT NULL, `status` varchar(16) NOT NULL, `count` bigint NOT NULL, ' +
        'INDEX `IDX_homing_attempt_counts_endpoint` (`endpointId`, `span`, `bucket`), ' +
        `PRIMARY KEY (\`appId\`, \`span\`, \`bucket\`, \`endpointId\`, \`eventType\`, \`status\`)) ${table}`,
    );
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD INDEX `IDX_homing_deliveries_endpoint_next` (`endpointId`, `status`, `nextAttemptAt`)');
    // Triggers first (CREATE TRIGGER waits for transactions already writing these tables), then the
    // backfill. Its INSERT ... SELECTs lock what they read (InnoDB's shared next-key locks), so a writer
    // meanwhile waits for the migration's commit: every change row left then is of a row the backfill
    // counted already, and goes. On a big database writers may wait that long: better run it with them stopped.
    for (const [name, body] of Object.entries(TRIGGERS)) await queryRunner.query(`CREATE TRIGGER \`${name}\` ${body}`);
    // Its own transaction: the DDL above committed the migration runner's, so the statements below would each commit alone.
    await queryRunner.query('START TRANSACTION');
    await this.countInRanges(
      queryRunner,
      'homing_deliveries',
      'msgId',
      (range) =>
        `INSERT INTO \`homing_delivery_counts\` (\`endpointId\`, \`hour\`, \`status\`, \`appId\`, \`count\`) ` +
        `SELECT d.\`endpointId\`, ${hourOf('d.`createdAt`')} AS \`hour\`, ${countedStatus('d')} AS \`counted\`, d.\`appId\`, COUNT(*) FROM \`homing_deliveries\` d ` +
        `WHERE ${range('d.`msgId`')} GROUP BY d.\`endpointId\`, \`hour\`, \`counted\`, d.\`appId\` ${ADD_COUNTS}`,
    );
    // Per five minutes and per hour, each range read twice while it is in the buffer pool.
    await this.countInRanges(queryRunner, 'homing_attempts', 'id', (range) =>
      [
        [5, fiveMinutesOf('a.`createdAt`')],
        [60, hourOf('a.`createdAt`')],
      ].map(
        ([span, bucket]) =>
          'INSERT INTO `homing_attempt_counts` (`appId`, `span`, `bucket`, `endpointId`, `eventType`, `status`, `count`) ' +
          `SELECT a.\`appId\`, ${span}, ${bucket} AS \`bucket\`, a.\`endpointId\`, COALESCE(m.\`eventType\`, '') AS \`type\`, a.\`status\`, COUNT(*) ` +
          `FROM \`homing_attempts\` a LEFT JOIN \`homing_messages\` m ON m.\`id\` = a.\`msgId\` WHERE ${range('a.`id`')} ` +
          `GROUP BY a.\`appId\`, \`bucket\`, a.\`endpointId\`, \`type\`, a.\`status\` ${ADD_COUNTS}`,
      ),
    );
    await queryRunner.query('DELETE FROM `homing_count_changes`');
    await queryRunner.query('COMMIT');
  }

  /**
   * Counts `table`'s existing rows a range of `key` (its primary key or that key's first column) at a
   * time: `statements(range)` gives the INSERTs for the rows where `range(column)` holds. The ranges run
   * from the first row to past the last, each read with the locks of an INSERT ... SELECT, so together
   * they hold the whole table as one statement would; a group that straddles two ranges is added up.
   */
  private async countInRanges(queryRunner: QueryRunner, table: string, key: string, statements: (range: (column: string) => string) => string | string[]): Promise<void> {
    const { countRangeRows } = AddStatisticsCounts1765300000000;
    const valueAfter = async (sql: string, parameters: unknown[]): Promise<string | undefined> => ((await queryRunner.query(sql, parameters)) as { value: string }[])[0]?.value;
    let from: string | undefined;
    do {
      const bound = from === undefined ? '' : `WHERE \`${key}\` >= ?`;
      let to = await valueAfter(`SELECT \`${key}\` AS value FROM \`${table}\` ${bound} ORDER BY \`${key}\` LIMIT 1 OFFSET ${countRangeRows}`, from === undefined ? [] : [from]);
      // More than a range's rows share the key's first column: the range ends after them.
      if (to !== undefined && to === from) to = await valueAfter(`SELECT MIN(\`${key}\`) AS value FROM \`${table}\` WHERE \`${key}\` > ?`, [from]);
      const conditions = (column: string) => [...(from === undefined ? [] : [`${column} >= ?`]), ...(to === undefined ? [] : [`${column} < ?`])].join(' AND ') || 'TRUE';
      const parameters = [from, to].filter((value) => value !== undefined);
      for (const statement of [statements(conditions)].flat()) await queryRunner.query(statement, parameters);
      from = to;
    } while (from !== undefined);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of Object.keys(TRIGGERS)) await queryRunner.query(`DROP TRIGGER IF EXISTS \`${name}\``);
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP INDEX `IDX_homing_deliveries_endpoint_next`');
    for (const table of ['homing_attempt_counts', 'homing_delivery_counts', 'homing_count_changes']) await queryRunner.query(`DROP TABLE \`${table}\``);
  }
}
