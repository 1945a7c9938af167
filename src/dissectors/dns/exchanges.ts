/**
 * Pairs queries with responses within one flow and emits one entry per pair.
 *
 * A response answers a pending query when it has the same DNS id, comes from
 * the other side, and echoes the same first question (compared without case,
 * as servers echo 0x20-randomised names); a side without questions matches
 * on the id alone. Queries with one id are answered oldest first, so a TCP
 * connection that reuses id 0 pairs in order.
 *
 * Which message is the query is decided by the QR bit, not by direction: a
 * response sent by ctx.client (mDNS, flows seen from the middle) is paired
 * with queries sent by ctx.server, and its entry has src and dst swapped.
 *
 * - response without a pending query: an entry with request null, flagged
 *   'no-request' ('retransmission' instead when the same id and question
 *   were answered before, as in Zeek's dns-two-responses trace);
 * - a query repeated while pending (client retry): counted, not tracked twice;
 * - queries still pending at close(): entries flagged 'no-response';
 * - at MAX_PENDING_QUERIES the oldest pending query is emitted unanswered.
 */
import type { EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import { addFlag, buildDnsEntry, messageFlags, toDnsRequest, toDnsResponse } from './entry.js';
import type { SeenRequest, SeenResponse } from './entry.js';
import type { DnsMessage } from './parser.js';

/** Queries awaiting a response in one flow. */
export const MAX_PENDING_QUERIES = 1024;
/** Answered (id, question) pairs remembered to tell retransmitted responses from strays. */
export const MAX_ANSWERED_REMEMBERED = 256;

interface Pending extends SeenRequest {
  sig: string;
}

/** Pending-table key: the DNS id and which side asked. */
function keyOf(askerIsClient: boolean, id: number): number {
  return (askerIsClient ? 0x10000 : 0) | id;
}

/** The first question as a comparable string, '' when there is none. */
function signature(m: DnsMessage): string {
  const q = m.questions[0];
  return q === undefined ? '' : `${q.name.toLowerCase()}/${q.type}/${q.class}`;
}

function sameQuestion(a: string, b: string): boolean {
  return a === '' || b === '' || a === b;
}

export class DnsExchanges {
  private readonly pending = new Map<number, Pending[]>();
  private pendingCount = 0;
  private readonly answered = new Map<number, string>();
  /** Was a gap seen in the queries of the side that asks (index 1: ctx.client)? */
  private readonly queryGap = [false, false];

  constructor(private readonly ctx: ConnectionContext) {}

  /** One parsed message sent by ctx.client (`fromClient`) or ctx.server at `ts`. */
  message(m: DnsMessage, fromClient: boolean, ts: number): void {
    if (m.header.qr) this.response(m, fromClient, ts);
    else this.query(m, fromClient, ts);
  }

  /** Bytes sent by one side were lost: mark the exchanges that may have lost a message. */
  gap(fromClient: boolean): void {
    for (const list of this.pending.values()) {
      for (const p of list) if (p.fromClient !== fromClient) addFlag(p.flags, 'gap');
    }
    this.queryGap[fromClient ? 1 : 0] = true;
  }

  /** Emit every pending query as unanswered, oldest first. */
  close(): void {
    const all: Pending[] = [];
    for (const list of this.pending.values()) all.push(...list);
    this.pending.clear();
    this.pendingCount = 0;
    all.sort((a, b) => a.ts - b.ts);
    for (const p of all) this.ctx.emit(buildDnsEntry(this.ctx, p, null, ['no-response']));
  }

  private query(m: DnsMessage, fromClient: boolean, ts: number): void {
    const key = keyOf(fromClient, m.header.id);
    const sig = signature(m);
    let list = this.pending.get(key);
    if (list !== undefined && list.some((p) => p.sig === sig)) {
      this.ctx.weird('dns_duplicate_query');
      return;
    }
    if (this.pendingCount >= MAX_PENDING_QUERIES) {
      this.ctx.weird('dns_pending_limit');
      this.evictOldest();
      list = this.pending.get(key);
    }
    const p: Pending = { request: toDnsRequest(m), ts, fromClient, flags: messageFlags(m), sig };
    if (list === undefined) this.pending.set(key, [p]);
    else list.push(p);
    this.pendingCount++;
  }

  private response(m: DnsMessage, fromClient: boolean, ts: number): void {
    const askerIsClient = !fromClient;
    const key = keyOf(askerIsClient, m.header.id);
    const sig = signature(m);
    const seen: SeenResponse = { response: toDnsResponse(m), ts, fromClient, flags: messageFlags(m) };
    const list = this.pending.get(key);
    if (list !== undefined) {
      const i = list.findIndex((p) => sameQuestion(p.sig, sig));
      if (i >= 0) {
        const [p] = list.splice(i, 1);
        if (list.length === 0) this.pending.delete(key);
        this.pendingCount--;
        this.remember(key, sig !== '' ? sig : p.sig);
        this.ctx.emit(buildDnsEntry(this.ctx, p, seen));
        return;
      }
      this.ctx.weird('dns_question_mismatch');
    }
    const answeredSig = this.answered.get(key);
    const flags: EntryFlag[] = answeredSig !== undefined && sameQuestion(answeredSig, sig)
      ? ['retransmission']
      : ['no-request'];
    if (flags[0] === 'no-request' && this.queryGap[askerIsClient ? 1 : 0]) flags.push('gap');
    this.ctx.emit(buildDnsEntry(this.ctx, null, seen, flags));
  }

  private remember(key: number, sig: string): void {
    this.answered.delete(key);
    this.answered.set(key, sig);
    if (this.answered.size > MAX_ANSWERED_REMEMBERED) {
      const oldest = this.answered.keys().next();
      if (!oldest.done) this.answered.delete(oldest.value);
    }
  }

  /** Emit the query waiting longest (first of the oldest id) as unanswered. */
  private evictOldest(): void {
    let oldestKey = -1;
    let oldestTs = Infinity;
    for (const [key, list] of this.pending) {
      if (list[0].ts < oldestTs) {
        oldestTs = list[0].ts;
        oldestKey = key;
      }
    }
    const list = this.pending.get(oldestKey);
    if (list === undefined) return;
    const p = list.shift() as Pending;
    if (list.length === 0) this.pending.delete(oldestKey);
    this.pendingCount--;
    this.ctx.emit(buildDnsEntry(this.ctx, p, null, ['no-response']));
  }
}
