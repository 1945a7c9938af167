/**
 * Pairing: requests wait in a FIFO (pipelining), each server reply answers
 * the oldest one. Exceptions, in order of checks:
 *   - a subscribe-family command (SUBSCRIBE a b c) takes one confirmation per
 *     channel; UNSUBSCRIBE with no channel takes confirmations until the count
 *     reaches 0 or another message comes;
 *   - a RESP3 `>` push that does not confirm the pending subscription, a pub/sub
 *     `message`/`pmessage`/`smessage` array (RESP2, while subscribed or with
 *     nothing pending), and a MONITOR line make push entries (request null,
 *     push true);
 *   - CLIENT REPLY OFF / SKIP: the commands the server will not answer are
 *     emitted at once with response null and no 'no-response' flag.
 * A gap on the server side ends every pending request (flag 'gap'), since the
 * replies lost cannot be counted; after a gap on the client side the requests
 * are flagged 'gap' until the queue drains, as their replies may be shifted.
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';
import { isKnownCommand, SUBSCRIBE_FAMILY } from './commands.js';
import { addFlag, intItem, pushKind, toRequest, toResponse, type RedisEntry, type RedisRequest, type RedisResponse } from './entry.js';
import type { RespMessage } from './parser.js';

/** Requests waiting for replies (pipelining depth); past it the oldest ends as 'no-response'. */
export const MAX_PENDING_REQUESTS = 10_000;
/** Unknown inline lines kept aside before the first request. */
export const MAX_TENTATIVE = 16;

const UPPER_WORD = /^[A-Z][A-Z0-9_.-]+$/;

function firstWord(line: Uint8Array): string {
  return Buffer.from(line.buffer, line.byteOffset, Math.min(line.length, 64)).toString('latin1').trim().split(/\s+/)[0] ?? '';
}

const MESSAGE_KINDS = new Set(['message', 'pmessage', 'smessage']);

interface Pending {
  request: RedisRequest;
  ts: number;
  flags: EntryFlag[];
  /** Upper-cased subscribe-family command this waits confirmations for, or ''. */
  family: string;
  /** Replies expected (Infinity: until the count reaches 0). */
  expect: number;
  got: number;
  response: RedisResponse | null;
  endTs: number;
  noReply: boolean;
}

export class RedisExchanges {
  private readonly pending: Pending[] = [];
  private head = 0;
  private replyMode: 'on' | 'off' | 'skip' = 'on';
  private subscribed = false;
  private monitor = false;
  private sawRequest = false;
  private clientGapped = false;
  /** Unknown inline lines seen before any request, waiting to be confirmed by an "unknown command" error. */
  private tentative: Array<{ request: RedisRequest; word: string; ts: number }> = [];

  constructor(private readonly ctx: ConnectionContext) {}

  get pendingCount(): number {
    return this.pending.length - this.head;
  }

  clientMessage(m: RespMessage): void {
    const parsed = toRequest(m);
    if (parsed === null) { this.ctx.weird('redis_empty_command'); return; }
    // An inline line that names no known command, before any request, is taken
    // for the tail of a message cut by the capture's start, unless it looks
    // typed on purpose (an upper-case word: "FAKE COMMAND").
    if (m.inline !== null && !isKnownCommand(parsed.name)) {
      this.ctx.weird('redis_inline_unknown');
      if (!this.sawRequest && !UPPER_WORD.test(firstWord(m.inline))) {
        // Kept aside: Redis answers "ERR unknown command '<word>'" if it was one.
        if (this.tentative.length < MAX_TENTATIVE) this.tentative.push({ request: parsed.request, word: firstWord(m.inline), ts: m.startTs });
        else this.ctx.weird('redis_tentative_limit');
        return;
      }
    }
    this.sawRequest = true;
    const { request } = parsed;
    const flags: EntryFlag[] = [];
    if (parsed.violation) { flags.push('violation'); this.ctx.weird('redis_bad_request'); }
    if (request.truncated) flags.push('body-truncated');
    if (this.clientGapped || m.gap) flags.push('gap');
    let noReply = false;
    if (this.replyMode === 'off') noReply = true;
    else if (this.replyMode === 'skip') { noReply = true; this.replyMode = 'on'; }
    if (request.command === 'CLIENT REPLY') {
      const mode = request.args[0]?.toUpperCase();
      if (mode === 'OFF') { this.replyMode = 'off'; noReply = true; }
      else if (mode === 'SKIP') { this.replyMode = 'skip'; noReply = true; }
      else if (mode === 'ON') { this.replyMode = 'on'; noReply = false; }
    }
    const family = SUBSCRIBE_FAMILY.has(request.command) ? request.command : '';
    const expect = family === '' ? 1 : request.argCount > 0 ? request.argCount : family.includes('UNSUB') ? Infinity : 1;
    if (this.pendingCount >= MAX_PENDING_REQUESTS) {
      this.ctx.weird('redis_pending_limit');
      const old = this.pending[this.head++];
      addFlag(old.flags, 'no-response');
      this.emit(old);
    }
    this.pending.push({ request, ts: m.startTs, flags, family, expect, got: 0, response: null, endTs: m.endTs, noReply });
    this.drain();
  }

  serverMessage(m: RespMessage): void {
    const v = m.value;
    if (v === null) return;
    const kind = pushKind(v);
    let head = this.peek();
    // An open-ended UNSUBSCRIBE ends at the first message that does not confirm it.
    if (head !== undefined && head.got > 0 && head.expect === Infinity && kind !== head.family.toLowerCase()) {
      this.finish();
      head = this.peek();
    }
    if (kind !== '' && SUBSCRIBE_FAMILY.has(kind.toUpperCase())) {
      const count = intItem(v, 2);
      if (!Number.isNaN(count)) this.subscribed = kind.includes('unsub') ? count > 0 : true;
      if (head !== undefined && head.family === kind.toUpperCase()) {
        head.got++;
        head.endTs = m.endTs;
        if (head.response === null) head.response = toResponse(m);
        else { head.response.size += m.size; head.response.replies = head.got; }
        if (head.got >= head.expect || (head.expect === Infinity && count === 0)) this.finish();
        return;
      }
      this.emitPush(m);
      return;
    }
    if (v.type === 'push' || (MESSAGE_KINDS.has(kind) && (this.subscribed || head === undefined) && (v.length === 3 || v.length === 4))) {
      this.emitPush(m);
      return;
    }
    if (head === undefined && this.monitor && v.type === 'simple-string') { this.emitPush(m); return; }
    const response = toResponse(m);
    if (this.tentative.length > 0) {
      const t = this.tentative[0];
      const e = response.error ?? '';
      if (e.startsWith(`ERR unknown command '${t.word.slice(0, 128)}`)) {
        this.tentative.shift();
        this.send(this.entry(t.request, response, t.ts, m.endTs, ['violation'], false));
        return;
      }
      this.tentative = []; // they were not commands (the tail of a cut message)
    }
    if (head === undefined) {
      this.ctx.weird('redis_reply_without_request');
      this.send(this.entry(null, response, m.startTs, m.endTs, m.gap ? ['no-request', 'gap'] : ['no-request'], false));
      return;
    }
    head.response = response;
    if (m.gap) addFlag(head.flags, 'gap');
    head.got++;
    head.endTs = m.endTs;
    if (head.request.command === 'MONITOR' && response.type === 'simple-string') this.monitor = true;
    if (head.request.command === 'RESET') { this.subscribed = false; this.monitor = false; }
    if (response.type === 'error' && head.family !== '') head.expect = head.got;
    this.finish();
  }

  /** Bytes from the client were lost: later requests may be answered by replies meant for lost ones. */
  clientGap(): void {
    this.clientGapped = true;
  }

  /** Bytes from the server were lost: the replies of every pending request may be gone. */
  serverGap(): void {
    while (this.pendingCount > 0) {
      const p = this.pending[this.head++];
      if (!p.noReply) addFlag(p.flags, 'gap');
      this.emit(p);
    }
    this.compact();
  }

  /** The connection is over: pending requests end without response. */
  close(serverPartial: boolean): void {
    let first = true;
    while (this.pendingCount > 0) {
      const p = this.pending[this.head++];
      if (!p.noReply && p.got === 0) addFlag(p.flags, 'no-response');
      if (first && serverPartial) addFlag(p.flags, 'truncated');
      first = false;
      this.emit(p);
    }
    this.compact();
  }

  private peek(): Pending | undefined {
    return this.head < this.pending.length ? this.pending[this.head] : undefined;
  }

  private finish(): void {
    const p = this.pending[this.head++];
    this.emit(p);
    this.drain();
  }

  /** Emits requests at the head that get no reply (CLIENT REPLY OFF/SKIP). */
  private drain(): void {
    while (this.head < this.pending.length && this.pending[this.head].noReply) this.emit(this.pending[this.head++]);
    this.compact();
  }

  private compact(): void {
    if (this.head === this.pending.length) { this.pending.length = 0; this.head = 0; this.clientGapped = false; }
    else if (this.head > 1024 && this.head * 2 > this.pending.length) { this.pending.splice(0, this.head); this.head = 0; }
  }

  private emit(p: Pending): void {
    this.send(this.entry(p.request, p.response, p.ts, p.response === null ? p.ts : p.endTs, p.flags, false));
  }

  private emitPush(m: RespMessage): void {
    this.send(this.entry(null, toResponse(m), m.startTs, m.startTs, m.gap ? ['gap'] : [], true));
  }

  /** RedisEntry joins the shared Entry union when the registry merge lands; until then, a cast. */
  private send(e: RedisEntry): void {
    this.ctx.emit(e);
  }

  private entry(request: RedisRequest | null, response: RedisResponse | null, ts: number, endTs: number, flags: EntryFlag[], push: boolean): RedisEntry {
    return {
      id: this.ctx.nextEntryId(),
      protocol: 'redis',
      transport: 'tcp',
      timestamp: ts,
      elapsedTime: request !== null && response !== null ? elapsedMs(ts, endTs) : 0,
      src: this.ctx.client,
      dst: this.ctx.server,
      connectionId: this.ctx.id,
      flags,
      push,
      request,
      response,
    };
  }
}
