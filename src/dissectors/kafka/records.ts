/**
 * Record counting from the `records` bytes of Produce and Fetch: a sequence
 * of record batches (magic 2: count in the 61-byte batch header) or legacy
 * message sets (magic 0/1: one message per entry, a compressed wrapper counts
 * as one). Only headers are read; records are never decoded.
 */

/** Batch header length up to and including recordCount (magic 2). */
export const RECORD_BATCH_HEADER_BYTES = 61;
/** Most batches walked in one records field. */
export const MAX_BATCHES_PER_FIELD = 10_000;

export interface RecordCount {
  records: number;
  batches: number;
  /** The last batch was cut (Fetch may end with a partial batch; or the frame was truncated). */
  partial: boolean;
}

export function countRecords(b: Uint8Array): RecordCount {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0; let records = 0; let batches = 0; let partial = false;
  while (pos < b.length && batches < MAX_BATCHES_PER_FIELD) {
    if (pos + 17 > b.length) { partial = true; break; }
    const length = dv.getInt32(pos + 8);
    const magic = dv.getInt8(pos + 16);
    if (length < 0) { partial = true; break; }
    if (magic === 2) {
      if (pos + RECORD_BATCH_HEADER_BYTES > b.length) { partial = true; break; }
      const n = dv.getInt32(pos + 57);
      if (n > 0) records += n;
    } else {
      records += 1;
    }
    batches++;
    if (pos + 12 + length > b.length) { partial = true; break; }
    pos += 12 + length;
  }
  return { records, batches, partial };
}
