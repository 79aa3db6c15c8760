import { RecordCursor, type AbortedTransaction } from './records.js';

/** Every record `RecordCursor` yields from `records` (tests of the record reader and writer). */
export function readRecords(records: Buffer, aborted: readonly AbortedTransaction[] = []) {
  const c = new RecordCursor().reset('t', 0, records, aborted);
  const out: { offset: number; ts: number; key: string | null; value: string | null }[] = [];
  while (c.next())
    out.push({
      offset: c.offset,
      ts: c.timestamp,
      key: c.key?.toString() ?? null,
      value: c.value?.toString() ?? null,
    });
  return { out, next: c.nextOffset, complete: c.complete };
}
