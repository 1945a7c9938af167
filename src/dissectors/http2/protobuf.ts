/**
 * Protobuf decoded without a schema (like `protoc --decode_raw`): field
 * number, wire type and value. A length-delimited value is shown as text when
 * it is printable UTF-8, else as a nested message when its bytes parse as
 * one exactly, else as base64. Depth and field count are bounded.
 */
import { isUtf8 } from 'node:buffer';
import type { ProtoField } from './types.js';

/** Nesting depth decoded (deeper length-delimited values stay bytes). */
export const MAX_PROTO_DEPTH = 8;
/** Fields decoded per top-level message, nested ones included. */
export const MAX_PROTO_FIELDS = 1000;

/** Which limits a decode hit (for counters: the caller names them). */
export interface ProtoLimitHits {
  /** MAX_PROTO_DEPTH left a binary value undecoded. */
  depth: boolean;
  /** MAX_PROTO_FIELDS cut the field list. */
  fields: boolean;
}

interface Budget { fields: number; hit: boolean; deep: boolean }

/** Decode `b` as a message; null when it is not one (or is empty of fields while not empty of bytes). `hits` says which limits bounded it. */
export function decodeProtobuf(b: Uint8Array, hits?: ProtoLimitHits): ProtoField[] | null {
  const budget: Budget = { fields: MAX_PROTO_FIELDS, hit: false, deep: false };
  const out = decodeMessage(b, 0, b.length, 0, budget);
  if (hits !== undefined) { hits.depth ||= budget.deep; hits.fields ||= budget.hit; }
  return out;
}

function decodeMessage(b: Uint8Array, start: number, end: number, depth: number, budget: Budget): ProtoField[] | null {
  const out: ProtoField[] = [];
  const r = { pos: start };
  while (r.pos < end) {
    const key = readVarint(b, r, end);
    if (key === null) return null;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field < 1 || field > 536_870_911) return null;
    if (--budget.fields < 0) { budget.hit = true; return out; }
    switch (wire) {
      case 0: {
        const v = readVarint(b, r, end);
        if (v === null) return null;
        out.push({ field, wire: 0, kind: 'varint', value: v.toString() });
        break;
      }
      case 1: {
        if (r.pos + 8 > end) return null;
        const v = Buffer.from(b.buffer, b.byteOffset + r.pos, 8).readBigUInt64LE(0);
        r.pos += 8;
        out.push({ field, wire: 1, kind: 'fixed64', value: v.toString() });
        break;
      }
      case 5: {
        if (r.pos + 4 > end) return null;
        const v = (b[r.pos] | (b[r.pos + 1] << 8) | (b[r.pos + 2] << 16)) + b[r.pos + 3] * 0x1000000;
        r.pos += 4;
        out.push({ field, wire: 5, kind: 'fixed32', value: String(v) });
        break;
      }
      case 2: {
        const len = readVarint(b, r, end);
        if (len === null || len > BigInt(end - r.pos)) return null;
        const s = r.pos;
        const e = s + Number(len);
        r.pos = e;
        out.push(lengthDelimited(b, s, e, field, depth, budget));
        break;
      }
      default:
        return null; // groups (3, 4) and reserved types: not a message we decode
    }
  }
  return out;
}

function lengthDelimited(b: Uint8Array, s: number, e: number, field: number, depth: number, budget: Budget): ProtoField {
  const view = Buffer.from(b.buffer, b.byteOffset + s, e - s);
  if (printable(view)) return { field, wire: 2, kind: 'string', value: view.toString('utf8') };
  if (depth + 1 < MAX_PROTO_DEPTH && e > s) {
    const inner = decodeMessage(b, s, e, depth + 1, budget);
    if (inner !== null) return { field, wire: 2, kind: 'message', value: '', fields: inner };
  } else if (e > s) {
    budget.deep = true; // maybe a message nested deeper than we decode: kept as bytes
  }
  return { field, wire: 2, kind: 'bytes', value: view.toString('base64') };
}

/** UTF-8 without control characters other than tab, CR and LF. */
function printable(v: Buffer): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) return false;
    if (c === 0x7f) return false;
  }
  return isUtf8(v);
}

function readVarint(b: Uint8Array, r: { pos: number }, end: number): bigint | null {
  let v = 0n;
  let shift = 0n;
  for (let k = 0; k < 10; k++) {
    if (r.pos >= end) return null;
    const c = b[r.pos++];
    v |= BigInt(c & 0x7f) << shift;
    if ((c & 0x80) === 0) return v;
    shift += 7n;
  }
  return null;
}
