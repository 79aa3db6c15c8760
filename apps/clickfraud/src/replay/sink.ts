import { Readable } from 'node:stream';
import { chQuery, rawSql, sql, type ClickHouseClient } from '@streambid/adapters';
import { tsvLine, type TsvRow } from './tsv.js';

/** Errors of the connection rather than of the statement: the insert may be retried. */
function isTransportError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    ['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_SOCKET'].includes(code)
  );
}

/** Options of a {@link TableSink}. */
export interface TableSinkOptions {
  /** Rows per insert. @default 100000 */
  batchRows?: number;
  /** A partial batch is inserted after waiting this long. @default 1000 */
  lingerMs?: number;
}

/** A batch encoded as TabSeparated lines; the first row answers for the batch (see `landed`). */
interface Batch<Row> {
  lines: string[];
  first: Row;
}

/**
 * Batches rows into large ClickHouse inserts (TabSeparated, encoded as rows arrive so only compact
 * strings wait in the buffer), strictly one at a time and in order. Order matters:
 * rows carry their Kafka offsets and a resume starts after the highest stored offset, so a later
 * batch must never land while an earlier one might still fail. After a failed insert the sink
 * refuses everything (the replay stops and a restart resumes from what ClickHouse holds).
 * One insert of fewer than max_insert_block_size (1,048,576) rows is one block: it is stored whole
 * or not at all, and the materialized views run as part of it.
 */
export class TableSink<Row extends TsvRow<Row>> {
  private buf: string[] = [];
  private bufFirst: Row | undefined = undefined;
  private firstAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure: unknown = undefined;
  private readonly batchRows: number;
  private readonly lingerMs: number;
  /** Rows ClickHouse acknowledged. */
  written = 0;
  inserts = 0;

  constructor(
    private readonly ch: ClickHouseClient,
    readonly table: string,
    /** The table's columns to fill, in the order rows are encoded. */
    private readonly columns: readonly [keyof Row & string, ...(keyof Row & string)[]],
    opts: TableSinkOptions = {},
  ) {
    this.batchRows = Math.min(opts.batchRows ?? 100_000, 1_000_000);
    this.lingerMs = opts.lingerMs ?? 1000;
  }

  get error(): unknown {
    return this.failure;
  }

  /** Adds rows; resolves when the caller may continue (back-pressure: at most one batch queued). */
  async add(rows: readonly Row[]): Promise<void> {
    this.throwIfFailed();
    for (const r of rows) {
      if (this.buf.length === 0) {
        this.firstAt = Date.now();
        this.bufFirst = r;
      }
      this.buf.push(tsvLine(this.columns, r));
      if (this.buf.length >= this.batchRows) await this.flushNow();
    }
  }

  /** Inserts the partial batch if it has waited long enough. */
  async tick(): Promise<void> {
    if (this.buf.length > 0 && Date.now() - this.firstAt >= this.lingerMs) await this.flushNow();
  }

  /** Queues the buffered rows; waits while an earlier insert is still running (back-pressure). */
  private async flushNow(): Promise<void> {
    if (this.inFlight > 0) await this.chain;
    this.throwIfFailed();
    const lines = this.buf;
    const first = this.bufFirst;
    this.buf = [];
    this.bufFirst = undefined;
    if (first === undefined || lines.length === 0) return;
    const batch: Batch<Row> = { lines, first };
    this.inFlight++;
    this.chain = this.chain
      .then(async () => {
        // Never insert after a failure: a later batch landing would hide the earlier gap.
        if (this.failure !== undefined) return;
        try {
          await this.insertOnce(batch);
          this.written += lines.length;
          this.inserts++;
        } catch (err) {
          this.failure ??= err;
        }
      })
      .finally(() => {
        this.inFlight--;
      });
  }

  /**
   * Inserts a batch; after a transport error (a stale keep-alive socket, a reset) it asks
   * ClickHouse whether the batch landed — the batch is one atomic block and its rows carry their
   * offsets, so the first row answers for all — and retries only if it did not. Never duplicates.
   */
  private async insertOnce(batch: Batch<Row>): Promise<void> {
    const body = Buffer.from(batch.lines.join(''), 'utf8');
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ch.insert({
          table: this.table,
          columns: [...this.columns],
          values: Readable.from([body], { objectMode: false }),
          format: 'TabSeparated',
        });
        return;
      } catch (err) {
        if (attempt >= 3 || !isTransportError(err)) throw err;
        if (await this.landed(batch.first)) return;
      }
    }
  }

  private async landed(first: Row): Promise<boolean> {
    const src = first as
      { src_topic?: unknown; src_partition?: unknown; src_offset?: unknown } | undefined;
    if (
      typeof src?.src_topic !== 'string' ||
      typeof src.src_partition !== 'number' ||
      typeof src.src_offset !== 'string'
    )
      return false;
    const rows = await chQuery<{ n: string }>(
      this.ch,
      sql`SELECT count() AS n FROM ${rawSql(this.table)} WHERE src_topic = ${src.src_topic} AND src_partition = ${src.src_partition} AND src_offset = ${BigInt(src.src_offset)}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /** Inserts everything buffered and waits for it. Throws the first insert failure. */
  async drain(): Promise<void> {
    await this.flushNow();
    await this.chain;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
