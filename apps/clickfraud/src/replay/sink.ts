import { Readable } from 'node:stream';
import { chQuery, rawSql, sql, type ClickHouseClient } from '@streambid/adapters';
import type { SourcePosition } from '../domain/features.js';

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

/** A batch of encoded rows; its first row's Kafka position answers for it (see `landed`). */
interface Batch {
  chunks: Buffer[];
  rows: number;
  first: SourcePosition;
}

/** Bytes per buffer chunk: big enough that a chunk holds thousands of rows. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Batches TabSeparated lines into large ClickHouse inserts, strictly one at a time and in order.
 * Lines are written straight into byte chunks as they arrive (no per-row objects wait in the
 * buffer, no big string join at flush). Order matters: rows carry their Kafka offsets and a resume
 * starts after the highest stored offset, so a later batch must never land while an earlier one
 * might still fail. After a failed insert the sink refuses everything (the replay stops and a
 * restart resumes from what ClickHouse holds). One insert of fewer than max_insert_block_size
 * (1,048,576) rows is one block: it is stored whole or not at all, and the materialized views run
 * as part of it.
 */
export class TableSink {
  private chunks: Buffer[] = [];
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;
  private rows = 0;
  private first: SourcePosition | undefined = undefined;
  private firstAt = 0;
  /** One entry per sealed batch not yet inserted (or failed), oldest first. */
  private pending: Promise<void>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private readonly batchRows: number;
  private readonly lingerMs: number;
  /** Rows ClickHouse acknowledged. */
  written = 0;
  inserts = 0;

  constructor(
    private readonly ch: ClickHouseClient,
    readonly table: string,
    /** The table's columns, in the order lines are encoded. */
    private readonly columns: readonly [string, ...string[]],
    opts: TableSinkOptions = {},
  ) {
    this.batchRows = Math.min(opts.batchRows ?? 100_000, 1_000_000);
    this.lingerMs = opts.lingerMs ?? 1000;
  }

  get error(): unknown {
    return this.failure;
  }

  /**
   * Appends one encoded line (ending in a newline) read from `src`. Synchronous: a full batch is
   * sealed and queued at once, so no insert exceeds `batchRows`; call {@link settle} between
   * Kafka batches for back-pressure.
   */
  push(line: string, src: SourcePosition): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.reserve(line.length * 3);
    this.commit(
      this.used + this.chunk.write(line, this.used),
      src.topic,
      src.partition,
      src.offset,
    );
  }

  /**
   * Makes room for a line of at most `maxBytes`, to be written into {@link buffer} from
   * {@link offset} and then committed — for encoders that write bytes themselves.
   */
  reserve(maxBytes: number): void {
    if (this.chunk.length - this.used < maxBytes) this.nextChunk(maxBytes);
  }

  get buffer(): Buffer {
    return this.chunk;
  }

  get offset(): number {
    return this.used;
  }

  /** Ends the line written up to `end` (exclusive), read from topic/partition/offset. */
  commit(end: number, topic: string, partition: number, offset: string): void {
    if (this.rows === 0) {
      this.firstAt = Date.now();
      this.first = { topic, partition, offset };
    }
    this.used = end;
    if (++this.rows >= this.batchRows) this.seal();
  }

  /** Resolves once at most one sealed batch is unfinished (back-pressure). */
  async settle(): Promise<void> {
    this.throwIfFailed();
    while (this.pending.length > 1) {
      await this.pending[0];
      this.throwIfFailed();
    }
  }

  /** Inserts the partial batch if it has waited long enough. */
  async tick(): Promise<void> {
    if (this.rows > 0 && Date.now() - this.firstAt >= this.lingerMs) this.seal();
    await this.settle();
  }

  /** Inserts everything buffered and waits for it. Throws the first insert failure. */
  async drain(): Promise<void> {
    this.seal();
    await this.chain;
    this.throwIfFailed();
  }

  private nextChunk(atLeast: number): void {
    if (this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, atLeast));
    this.used = 0;
  }

  /** Closes the current batch and queues its insert behind the earlier ones. */
  private seal(): void {
    const first = this.first;
    if (this.rows === 0 || first === undefined) return;
    if (this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    // The rest of the chunk stays writable for the next batch: its bytes are not shared.
    this.chunk = this.chunk.subarray(this.used);
    this.used = 0;
    const batch: Batch = { chunks: this.chunks, rows: this.rows, first };
    this.chunks = [];
    this.rows = 0;
    this.first = undefined;
    this.chain = this.chain.then(async () => {
      try {
        // Never insert after a failure: a later batch landing would hide the earlier gap.
        if (this.failure !== undefined) return;
        await this.insertOnce(batch);
        this.written += batch.rows;
        this.inserts++;
      } catch (err) {
        this.failure ??= err;
      } finally {
        void this.pending.shift();
      }
    });
    this.pending.push(this.chain);
  }

  /**
   * Inserts a batch; after a transport error (a stale keep-alive socket, a reset) it asks
   * ClickHouse whether the batch landed — the batch is one atomic block and its rows carry their
   * offsets, so the first row answers for all — and retries only if it did not. Never duplicates.
   */
  private async insertOnce(batch: Batch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ch.insert({
          table: this.table,
          columns: [...this.columns],
          values: Readable.from(batch.chunks, { objectMode: false }),
          format: 'TabSeparated',
        });
        return;
      } catch (err) {
        if (attempt >= 3 || !isTransportError(err)) throw err;
        if (await this.landed(batch.first)) return;
      }
    }
  }

  private async landed(first: SourcePosition): Promise<boolean> {
    const rows = await chQuery<{ n: string }>(
      this.ch,
      sql`SELECT count() AS n FROM ${rawSql(this.table)} WHERE src_topic = ${first.topic} AND src_partition = ${first.partition} AND src_offset = ${BigInt(first.offset)}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
