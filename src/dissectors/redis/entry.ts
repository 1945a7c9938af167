/**
 * Redis messages to entry parts: the policy of what an entry shows. The
 * entry type lives here (exported from index.ts) until it joins the shared
 * union in src/entries/types.ts.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { firstKeyIndex, isContainer, MAX_COMMAND_NAME, splitInline } from './commands.js';
import { MAX_KEPT_BYTES, type RespMessage, type RespType, type RespValue } from './parser.js';
import { bytesText, renderValue, scalarText } from './render.js';

/** Bytes of each `request.args` element shown (the rest is cut; `request.truncated` says so). */
export const MAX_ARG_BYTES = 256;

export type RedisValueType = Exclude<RespType, 'attribute'>;

export interface RedisRequest {
  /** Upper-cased command; with its subcommand for container commands: "GET", "CLIENT SETNAME", "CONFIG GET". */
  command: string;
  /** First key argument, for commands that have one; null otherwise. */
  key: string | null;
  /** Arguments after the command (and subcommand) words, each at most MAX_ARG_BYTES, binary-safe text. */
  args: string[];
  /** True number of arguments after the command words (args keeps the first ones). */
  argCount: number;
  /** Sent as an inline (telnet style) line rather than a RESP array. */
  inline: boolean;
  /** Bytes on the wire. */
  size: number;
  /** An argument was cut or arguments were left out. */
  truncated: boolean;
}

export interface RedisResponse {
  type: RedisValueType;
  /** Bounded rendering (see render.ts); null for a null reply. Errors: the message. */
  value: string | null;
  /** The error message for `error` and `bulk-error` replies; null otherwise. */
  error: string | null;
  /** Bulk: byte length; aggregates: element count (maps: pairs); null for other types. */
  length: number | null;
  /** Bytes on the wire (all replies, when several answer one command). */
  size: number;
  /** The rendering was cut. */
  truncated: boolean;
  /** Replies that answered this command, when more than one (SUBSCRIBE a b c gets 3). */
  replies?: number;
}

export interface RedisEntry extends EntryBase {
  protocol: 'redis';
  transport: 'tcp';
  /** A message the server sent on its own (pub/sub message, RESP3 `>` push, MONITOR line): `request` is null. */
  push: boolean;
  request: RedisRequest | null;
  response: RedisResponse | null;
}

export interface ParsedRequest {
  request: RedisRequest;
  /** Upper-cased first word (the command name alone). */
  name: string;
  violation: boolean;
}

function asScalar(w: Uint8Array): RespValue {
  return { type: 'bulk-string', bytes: w.length > MAX_KEPT_BYTES ? w.subarray(0, MAX_KEPT_BYTES) : w, length: w.length, items: null, truncated: w.length > MAX_KEPT_BYTES };
}

const WORD = /^[A-Za-z][A-Za-z0-9_.|-]*$/;

/** A client message as a request; null when it carries no command (an empty array). */
export function toRequest(m: RespMessage): ParsedRequest | null {
  let words: RespValue[];
  let count: number;
  let violation = false;
  let inline = false;
  if (m.inline !== null) {
    const split = splitInline(m.inline);
    words = split.words.map(asScalar);
    count = words.length;
    violation = !split.balanced;
    inline = true;
  } else {
    const v = m.value as RespValue;
    if (v.type !== 'array' || v.items === null) {
      words = [v];
      count = 1;
      violation = true;
    } else {
      words = v.items;
      count = v.length;
      if (words.some((w) => w.items !== null || w.bytes === null)) violation = true;
    }
  }
  if (count === 0 || words.length === 0) return null;
  const text = (i: number): string => (i < words.length && words[i].bytes !== null ? bytesText(words[i].bytes as Uint8Array, words[i].truncated) : '');
  const name = text(0).slice(0, MAX_COMMAND_NAME).toUpperCase();
  let command = name;
  let skip = 1;
  if (isContainer(name) && count > 1) {
    const sub = text(1);
    if (sub.length <= MAX_COMMAND_NAME && WORD.test(sub)) { command = `${name} ${sub.toUpperCase()}`; skip = 2; }
  }
  const keyAt = firstKeyIndex(command, Math.min(count, words.length), text);
  let truncated = count > words.length;
  const args: string[] = [];
  for (let i = skip; i < words.length; i++) {
    const w = words[i];
    if (w.bytes === null) { args.push(renderValue(w).text ?? ''); continue; }
    const s = scalarText(w, MAX_ARG_BYTES);
    if (s.truncated) truncated = true;
    args.push(s.text);
  }
  const key = keyAt === -1 ? null : scalarText(words[keyAt], MAX_ARG_BYTES).text;
  return { request: { command, key, args, argCount: count - skip, inline, size: m.size, truncated }, name, violation };
}

/** A server message as a response. */
export function toResponse(m: RespMessage): RedisResponse {
  const v = m.value as RespValue;
  const type = v.type as RedisValueType;
  const r = renderValue(v);
  const isError = type === 'error' || type === 'bulk-error';
  const aggregate = v.items !== null;
  return {
    type,
    value: r.text,
    error: isError ? r.text : null,
    length: aggregate || type === 'bulk-string' || type === 'verbatim' || type === 'bulk-error' ? v.length : null,
    size: m.size,
    truncated: r.truncated,
  };
}

/** Lower-cased first element of an array or push when it is a short string ("message", "subscribe"); '' otherwise. */
export function pushKind(v: RespValue): string {
  if ((v.type !== 'array' && v.type !== 'push') || v.items === null || v.items.length === 0) return '';
  const first = v.items[0];
  if (first.bytes === null || first.items !== null || first.bytes.length > 16) return '';
  return Buffer.from(first.bytes.buffer, first.bytes.byteOffset, first.bytes.length).toString('latin1').toLowerCase();
}

/** Integer element `i` of an aggregate (the subscription count of a confirmation), or NaN. */
export function intItem(v: RespValue, i: number): number {
  const x = v.items?.[i];
  if (x === undefined || x.type !== 'integer' || x.bytes === null) return NaN;
  return Number(Buffer.from(x.bytes).toString('latin1'));
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}
