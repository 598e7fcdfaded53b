/**
 * The master's answers to operators' `status-request`s (ofp master status,
 * §11.2): the summary, or a page of a table (statusTables.ts). A page from
 * row 0 takes a fresh reading of the table for that operator; its following
 * pages come from it while it is recent, so that rows do not shift between the
 * pages of one reading (whatever other operators read meanwhile), and a large
 * table is not rebuilt for every page.
 *
 * It never calls the master: it returns the page to send, and reads the
 * master through a view (`StatusView`).
 */
import { MAX_DATAGRAM, MAX_STATUS_ROWS, MAX_STATUS_SNAPSHOTS, STATUS_SNAPSHOT_TTL } from '../../protocol/constants.js';
import { encode, encodedLength } from '../../protocol/codec.js';
import { type MessageOf, MESSAGES } from '../../protocol/messages.js';
import { ListFill } from '../../protocol/sizes.js';
import type { RoleDeps, TableSize } from '../role.js';
import { FifoMap } from '../fifoMap.js';
import { readTable, type StatusSource, type StatusTable, type TableReading } from './statusTables.js';

export type StatusSummary = NonNullable<MessageOf<'status'>['summary']>;

/** What the status pages read of the master: its tables, and its summary. */
export interface StatusView extends StatusSource {
  summary(now: number): StatusSummary;
}

export class StatusPages {
  /** Per operator address and table: the reading of the table begun at that operator's last request for its row 0. */
  private readonly snapshots = new FifoMap<string, { at: number; rows: TableReading }>(MAX_STATUS_SNAPSHOTS);

  constructor(
    private readonly deps: RoleDeps,
    private readonly view: StatusView,
  ) {}

  /** Its bounded table, with its bound (§7.3). */
  tables(): Record<string, TableSize> {
    return { 'status snapshots': { size: this.snapshots.size, limit: MAX_STATUS_SNAPSHOTS } };
  }

  /** A `status-request` from `from`: the `status` that answers it, encoded (with a MAC under a cluster key). */
  handleRequest(msg: MessageOf<'status-request'>, from: string, now: number): Uint8Array {
    const base = { type: 'status' as const, rid: msg.rid, what: msg.what };
    if (msg.what === 'summary') return this.encode({ ...base, total: 1, from: 0, summary: this.view.summary(now) }, now);
    const auth = this.deps.auth;
    const rows = this.reading(from, msg.what, msg.from, now);
    const start = Math.min(msg.from, rows.size);
    const empty = { ...base, total: rows.size, from: start, [msg.what]: [] } as MessageOf<'status'>;
    const emptySize = auth ? auth.encodedLength(empty, now) : encodedLength(empty);
    // Rows are added while the computed size of the page fits; the page is encoded once.
    const page = new ListFill<unknown>(MESSAGES.status.fields[msg.what].of!, emptySize, MAX_DATAGRAM, MAX_STATUS_ROWS);
    for (let i = start; i < rows.size && !page.full; i++) {
      if (!page.add(rows.row(i, now))) break;
    }
    if (page.items.length === 0 && start < rows.size) {
      // One row too big for a page (a long file name held by many servers): send it with as many holders as fit.
      const row = rows.row(start, now) as { servers?: string[] };
      for (let n = (row.servers?.length ?? 0) - 1; n >= 0; n--) {
        if (page.add({ ...row, servers: row.servers!.slice(0, n) })) break;
      }
    }
    return this.encode({ ...empty, [msg.what]: page.items } as MessageOf<'status'>, now);
  }

  /** The rows of a table now: what `status` pages carry. */
  rows(what: StatusTable, now: number): unknown[] {
    const rows = readTable(what, this.view);
    return Array.from({ length: rows.size }, (_, i) => rows.row(i, now));
  }

  private encode(m: MessageOf<'status'>, now: number): Uint8Array {
    return this.deps.auth ? this.deps.auth.encode(m, now) : encode(m);
  }

  /** The operator's reading of the table: the one begun at its request for row 0, while recent; a fresh one otherwise. */
  private reading(operator: string, what: StatusTable, from: number, now: number): TableReading {
    const key = `${what} ${operator}`;
    const snap = this.snapshots.get(key);
    if (from > 0 && snap && now - snap.at <= STATUS_SNAPSHOT_TTL) return snap.rows;
    const rows = readTable(what, this.view);
    this.snapshots.set(key, { at: now, rows });
    return rows;
  }
}
