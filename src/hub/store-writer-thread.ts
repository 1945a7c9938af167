/**
 * The store's writer, on its own thread: inserts prepared rows and applies
 * retention, so SQLite's work (B-trees, WAL, checkpoints) runs beside the
 * hub's event loop instead of inside it. Messages: `{id, rows}` in,
 * `{id, fresh, counters}` out, in order; `{close: true}` closes the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EntryStore, type Row, type StoreOptions } from './store.js';

const store = new EntryStore(workerData as StoreOptions);
const port = parentPort!;

port.on('message', (m: { id: number; rows: Row[] } | { close: true }) => {
  if ('close' in m) {
    store.close();
    port.postMessage({ closed: true });
    return;
  }
  try {
    // Bodies arrive as Uint8Array (structured clone); SQLite binds Buffers.
    const rows = m.rows.map((r) => (r.bodies === null ? r : { ...r, bodies: Buffer.from(r.bodies.buffer, r.bodies.byteOffset, r.bodies.byteLength) }));
    const fresh = store.insertRows(rows);
    port.postMessage({ id: m.id, fresh, counters: store.counters });
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).message, counters: store.counters });
  }
});
