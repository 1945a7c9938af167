/**
 * Crash files: `<dir>/<target>/crash-<hash>.bin` holds the input exactly as
 * the target ran it (regressions.test.ts replays every one), and
 * `crash-<hash>.txt` beside it says what went wrong. The hash is of the
 * input, so the same input is written once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stack frames kept in the .txt note. */
const NOTE_FRAMES = 12;

export type CrashKind = 'exception' | 'hang' | 'out-of-memory' | 'worker-died';

export interface CrashRecord { kind: CrashKind; target: string; signature: string; file: string | null }

/**
 * What makes two crashes the same bug: the error's name, its message with numbers blanked, and
 * the first podtap frame. An error whose first podtap frame is the harness's own is marked
 * `harness:` — a bug in the fuzzer, not in the code under test.
 */
export function crashSignature(e: unknown): string {
  if (!(e instanceof Error)) return `non-error: ${String(e).slice(0, 80)}`;
  const message = e.message.split('\n')[0].replace(/\d+/g, 'N').slice(0, 120);
  const frames = (e.stack ?? '').split('\n').filter((l) => l.includes('/dist/'));
  const harness = frames.length > 0 && frames[0].includes('/dist/fuzz/');
  const frame = frames.find((l) => !l.includes('/dist/fuzz/')) ?? '';
  const where = frame.replace(/^\s*at\s+/, '').replace(/\(?file:\/\/.*\/dist\//, '').replace(/:\d+\)?$/, '');
  return `${harness ? 'harness: ' : ''}${e.name}: ${message} @ ${where}`;
}

export const inputHash = (input: Uint8Array): string => createHash('sha256').update(input).digest('hex').slice(0, 16);

/** Write the input and a note; returns the .bin path (null when `dir` is null: nothing is saved). */
export function saveCrash(dir: string | null, target: string, input: Uint8Array, kind: CrashKind, detail: unknown): string | null {
  if (dir === null) return null;
  const folder = join(dir, target);
  mkdirSync(folder, { recursive: true });
  const base = join(folder, `crash-${inputHash(input)}`);
  if (existsSync(`${base}.bin`)) return `${base}.bin`;
  writeFileSync(`${base}.bin`, input);
  const text = detail instanceof Error ? (detail.stack ?? String(detail)).split('\n').slice(0, NOTE_FRAMES + 1).join('\n') : String(detail);
  writeFileSync(`${base}.txt`, `target: ${target}\nkind: ${kind}\nsignature: ${crashSignature(detail)}\nbytes: ${input.length}\n\n${text}\n`);
  return `${base}.bin`;
}
