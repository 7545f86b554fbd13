import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import type { DeliveryEntity } from '../entities/index.js';
import { retryingDeadlocks } from '../entities/database-errors.js';
import { DeliveryQueue, type DueDelivery } from '../queue/delivery.queue.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';

/** Rows of a line read at a time while looking for the next one to send. */
const READ_AHEAD = 50;
const LINE_ROWS =
  'SELECT d.`msgId`, d.`seq`, d.`attempts`, d.`status`, d.`nextAttemptAt`, m.`deliverAt` FROM `homing_deliveries` d ' +
  'JOIN `homing_messages` m ON m.`id` = d.`msgId` WHERE d.`endpointId` = ?';

/** An ordered endpoint's counters: the last place given, and the head's. */
interface Line {
  lineSeq: number;
  lineHead: number;
}

interface LineRow {
  msgId: string;
  seq: string;
  attempts: number;
  status: DeliveryEntity['status'];
  nextAttemptAt: Date | null;
  deliverAt: Date | null;
}

/**
 * Ordered (FIFO) endpoints. Each delivery to such an endpoint takes the next place (`seq`) in the
 * endpoint's line when its message is written, under the endpoint row's lock, so places follow the
 * order in which the messages' transactions committed. A delivery waits in line as a pending row with no
 * `nextAttemptAt`: no job, sweep or claim takes it. One delivery at a time is the line's head
 * (`lineHead`): it alone is due, sent, retried on the schedule; when it ends (success, cancelled, or
 * failed with `orderedFailure: 'skip'`) the next place is made due. Every move happens under the
 * endpoint row's lock, so replicas never make two due at once. With `'hold'`, a head that failed for
 * good stays the head until it is sent again by hand.
 */
@Injectable()
export class DeliveryLines {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly queue: DeliveryQueue,
  ) {}

  /**
   * Within the writer's transaction: gives the deliveries to ordered endpoints their places (in the
   * order given) and leaves them waiting in line. Returns the endpoints whose lines got new places.
   * An endpoint no longer ordered (changed meanwhile) takes its deliveries unordered.
   */
  async place(writer: EntityManager, deliveries: DeliveryEntity[], ordered: ReadonlySet<string>): Promise<string[]> {
    const byEndpoint = new Map<string, DeliveryEntity[]>();
    for (const delivery of deliveries) {
      if (!ordered.has(delivery.endpointId)) continue;
      const line = byEndpoint.get(delivery.endpointId);
      if (line) line.push(delivery);
      else byEndpoint.set(delivery.endpointId, [delivery]);
    }
    const placed: string[] = [];
    // In one order of endpoints, so two writers never wait on each other's lines.
    for (const endpointId of [...byEndpoint.keys()].sort()) {
      const rows = byEndpoint.get(endpointId)!;
      const { affectedRows, insertId } = (await writer.query(
        "UPDATE `homing_endpoints` SET `lineSeq` = LAST_INSERT_ID(`lineSeq` + ?) WHERE `id` = ? AND `ordering` = 'fifo'",
        [rows.length, endpointId],
      )) as { affectedRows: number; insertId: number };
      if (affectedRows === 0) continue;
      rows.forEach((delivery, i) => {
        delivery.seq = insertId - rows.length + 1 + i;
        delivery.nextAttemptAt = null;
      });
      placed.push(endpointId);
    }
    return placed;
  }

  /**
   * Makes the next delivery in the endpoint's line due, if its head has ended (or none was made due
   * yet), and queues it. Safe to call any time from any replica: it does nothing while the head is owed.
   */
  async advance(endpointId: string): Promise<void> {
    const due = await retryingDeadlocks(() => this.dataSource.transaction((manager) => this.advanceLocked(manager, endpointId)));
    if (due) await this.queue.enqueueNew([due]);
  }

  /**
   * Deliveries of an ordered endpoint sent again by hand (resend, recover, replay). In one transaction with
   * the line locked, `leave` makes them owed and waiting in line (pending, no `nextAttemptAt`) and returns
   * their message ids, in the order they should go; then the line's head (failed and holding the line, or
   * waiting on a retry) is sent again in its place, one still ahead in the line keeps its place, and any
   * other takes the last place, behind what is already in line. Returns how many `leave` named.
   */
  async rejoin(endpointId: string, leave: (manager: EntityManager) => Promise<string[]>): Promise<number> {
    let count = 0;
    const due = await retryingDeadlocks(() =>
      this.dataSource.transaction(async (manager) => {
        const line = await this.lock(manager, endpointId);
        const msgIds = await leave(manager);
        count = msgIds.length;
        if (msgIds.length === 0) return null;
        if (!line) {
          // No longer ordered: sent as any other delivery, by the sweeper's catch-up.
          await manager.query(
            "UPDATE `homing_deliveries` SET `nextAttemptAt` = ? WHERE `endpointId` = ? AND `msgId` IN (?) AND `status` = 'pending' AND `nextAttemptAt` IS NULL",
            [new Date(), endpointId, msgIds],
          );
          return null;
        }
        // The others with no place ahead in the line, in the order given, after the last place.
        const others = (await manager.query(
          "SELECT `msgId` FROM `homing_deliveries` WHERE `endpointId` = ? AND `msgId` IN (?) AND `status` = 'pending' AND `nextAttemptAt` IS NULL AND (`seq` IS NULL OR `seq` < ?)",
          [endpointId, msgIds, line.lineHead],
        )) as { msgId: string }[];
        const wanted = new Set(others.map(({ msgId }) => msgId));
        let seq = line.lineSeq;
        for (const msgId of msgIds.filter((id) => wanted.has(id))) {
          seq += 1;
          await manager.query('UPDATE `homing_deliveries` SET `seq` = ? WHERE `endpointId` = ? AND `msgId` = ?', [seq, endpointId, msgId]);
        }
        if (seq !== line.lineSeq) await manager.query('UPDATE `homing_endpoints` SET `lineSeq` = ? WHERE `id` = ?', [seq, endpointId]);
        return this.advanceLocked(manager, endpointId, { lineSeq: seq, lineHead: line.lineHead });
      }),
    );
    // A head sent again may have a delayed job for its retry under the same id: that one runs now.
    if (due) await this.queue.runNow(due);
    return count;
  }

  /** When an endpoint becomes ordered, its line starts empty; when it stops being ordered, what waits in line is due now. */
  async orderingChanged(manager: EntityManager, endpointId: string, ordered: boolean): Promise<void> {
    if (ordered) {
      await manager.query('UPDATE `homing_endpoints` SET `lineHead` = `lineSeq` WHERE `id` = ?', [endpointId]);
    } else {
      await manager.query("UPDATE `homing_deliveries` SET `nextAttemptAt` = ? WHERE `endpointId` = ? AND `status` = 'pending' AND `nextAttemptAt` IS NULL", [new Date(), endpointId]);
    }
  }

  /**
   * Moves every ordered endpoint's line whose head has ended but whose next place was not made due (its
   * worker died between the two). Part of each sweep.
   */
  async advanceStalled(): Promise<void> {
    const ended = this.options.orderedFailure === 'hold' ? "('success', 'canceled')" : "('success', 'canceled', 'failed')";
    const stalled = (await this.dataSource.query(
      'SELECT e.`id` FROM `homing_endpoints` e LEFT JOIN `homing_deliveries` d ON d.`endpointId` = e.`id` AND d.`seq` = e.`lineHead` ' +
        `WHERE e.\`ordering\` = 'fifo' AND e.\`lineSeq\` > e.\`lineHead\` AND (d.\`status\` IS NULL OR d.\`status\` IN ${ended})`,
    )) as { id: string }[];
    for (const { id } of stalled) await this.advance(id);
  }

  /** The endpoint's line, its row locked until the transaction ends; null when it is not ordered. */
  private async lock(manager: EntityManager, endpointId: string): Promise<Line | null> {
    const [line] = (await manager.query("SELECT `lineSeq`, `lineHead` FROM `homing_endpoints` WHERE `id` = ? AND `ordering` = 'fifo' FOR UPDATE", [endpointId])) as {
      lineSeq: string;
      lineHead: string;
    }[];
    return line ? { lineSeq: Number(line.lineSeq), lineHead: Number(line.lineHead) } : null;
  }

  /** Makes the line's next delivery due (see advance), its row locked first unless `line` says it is. */
  private async advanceLocked(manager: EntityManager, endpointId: string, locked?: Line): Promise<DueDelivery | null> {
    const line = locked ?? (await this.lock(manager, endpointId));
    if (!line) return null;
    let from = line.lineHead;
    for (;;) {
      // The head (at lineHead, if it has a row) and the places after it, in one read.
      const rows = (await manager.query(`${LINE_ROWS} AND d.\`seq\` >= ? ORDER BY d.\`seq\` LIMIT ?`, [endpointId, from, READ_AHEAD])) as LineRow[];
      const head = Number(rows[0]?.seq) === line.lineHead ? rows.shift() : undefined;
      // A head waiting in line is one sent again by hand (rejoin): due again in its place.
      if (head && inLine(head)) return this.makeDue(manager, endpointId, head, line.lineHead);
      if (head && this.holds(head)) return null;
      const next = rows.find(inLine);
      // Places whose delivery ended or left the line meanwhile (cancelled, made due while the endpoint was unordered) are passed over.
      if (next) return this.makeDue(manager, endpointId, next, line.lineHead);
      const passed = rows.length > 0 ? Number(rows[rows.length - 1].seq) : from;
      if (passed !== line.lineHead) await manager.query('UPDATE `homing_endpoints` SET `lineHead` = ? WHERE `id` = ?', [passed, endpointId]);
      if (rows.length + (head ? 1 : 0) < READ_AHEAD) return null;
      line.lineHead = passed;
      from = passed + 1;
    }
  }

  /** Makes `row` due and the line's head, in one statement. */
  private async makeDue(manager: EntityManager, endpointId: string, row: LineRow, lineHead: number): Promise<DueDelivery> {
    const dueAt = row.deliverAt && row.deliverAt.getTime() > Date.now() ? row.deliverAt : new Date();
    const seq = Number(row.seq);
    if (seq === lineHead) {
      await manager.query('UPDATE `homing_deliveries` SET `nextAttemptAt` = ? WHERE `endpointId` = ? AND `msgId` = ?', [dueAt, endpointId, row.msgId]);
    } else {
      await manager.query(
        'UPDATE `homing_endpoints` e JOIN `homing_deliveries` d ON d.`endpointId` = e.`id` AND d.`msgId` = ? SET e.`lineHead` = ?, d.`nextAttemptAt` = ? WHERE e.`id` = ?',
        [row.msgId, seq, dueAt, endpointId],
      );
    }
    return { msgId: row.msgId, endpointId, attempts: row.attempts, dueAt };
  }

  /** Whether the head is still owed (or, failed, holds the line). */
  private holds({ status }: Pick<LineRow, 'status'>): boolean {
    return status === 'pending' || status === 'sending' || (status === 'failed' && this.options.orderedFailure === 'hold');
  }
}

/** Waiting in line: owed, not due. */
function inLine(row: Pick<LineRow, 'status' | 'nextAttemptAt'>): boolean {
  return row.status === 'pending' && row.nextAttemptAt === null;
}
