/**
 * HPACK Huffman decoding (RFC 7541 §5.2, Appendix B), four bits at a time.
 *
 * At load, the code is built into a binary tree (256 internal nodes, 257
 * leaves); then for every internal node and every nibble a table entry says
 * where the walk ends and which byte, if any, it emitted (the shortest code is
 * 5 bits, so a nibble finishes at most one code). Decoding is two table
 * lookups per input byte, no branches on the bit level.
 */
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

const EOS = 256;
const EOS_CODE = 0x3fffffff;
const EOS_LENGTH = 30;

const EMIT = 1 << 17;
const FAIL = 1 << 18;

/** children[node*2+bit]: >= 0 an internal node, < 0 a leaf -(symbol+1). */
const children = new Int32Array(512 * 2).fill(0x7fffffff);
/** The node's path from the root is all ones and at most 7 bits long: a valid place to end (padding). */
const accepting = new Uint8Array(512);
const table = new Int32Array(256 * 16);
let nodeCount = 1;

function addCode(sym: number, code: number, len: number): void {
  let node = 0;
  for (let i = len - 1; i >= 0; i--) {
    const bit = (code >>> i) & 1;
    const slot = node * 2 + bit;
    if (i === 0) { children[slot] = -(sym + 1); return; }
    if (children[slot] === 0x7fffffff) children[slot] = nodeCount++;
    node = children[slot];
  }
}

function build(): void {
  for (let s = 0; s < 256; s++) addCode(s, HUFFMAN_CODES[s]!, HUFFMAN_LENGTHS[s]!);
  addCode(EOS, EOS_CODE, EOS_LENGTH);
  // All-ones path up to depth 7.
  let node = 0;
  accepting[0] = 1;
  for (let d = 1; d <= 7; d++) {
    const next = children[node * 2 + 1];
    if (next < 0) break;
    node = next;
    accepting[node] = 1;
  }
  for (let n = 0; n < nodeCount; n++) {
    for (let nib = 0; nib < 16; nib++) {
      let cur = n;
      let entry = 0;
      for (let b = 3; b >= 0; b--) {
        const c = children[cur * 2 + ((nib >>> b) & 1)];
        if (c < 0) {
          const sym = -c - 1;
          if (sym === EOS) { entry |= FAIL; cur = 0; break; }
          entry |= EMIT | (sym << 9);
          cur = 0;
        } else {
          cur = c;
        }
      }
      table[n * 16 + nib] = entry | cur;
    }
  }
}
build();

/** Scratch output, grown on demand (bounded by the callers' string limits). */
let scratch = Buffer.allocUnsafe(4096);

/**
 * Decode `src[start..end)` into a latin1 string (bytes 1:1 to code units).
 * Returns null on EOS in the data or invalid padding (RFC 7541 §5.2).
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string | null {
  // Each input byte yields at most 8/5 output bytes.
  const need = ((end - start) * 8) / 5 + 1;
  if (need > scratch.length) scratch = Buffer.allocUnsafe(Math.max(need | 0, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const b = src[i];
    let e = table[state * 16 + (b >>> 4)];
    if ((e & FAIL) !== 0) return null;
    if ((e & EMIT) !== 0) out[n++] = (e >>> 9) & 0xff;
    state = e & 0x1ff;
    e = table[state * 16 + (b & 15)];
    if ((e & FAIL) !== 0) return null;
    if ((e & EMIT) !== 0) out[n++] = (e >>> 9) & 0xff;
    state = e & 0x1ff;
  }
  if (accepting[state] === 0) return null;
  return out.toString('latin1', 0, n);
}
