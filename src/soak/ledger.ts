/**
 * The clients' own counts against what the hub stored. The hub's entries of
 * counted requests (SOAK_FILTER) are read through `GET /api/entries` with
 * the token, newest first, paging with `before`; each is matched to its
 * request id (request-ids.ts). Per kind of request:
 *  - answered: request ids the clients say were answered;
 *  - stored: those the hub has at least one entry for;
 *  - lost: answered, no entry;
 *  - doubled: more than one entry for one request id (with the entry ids);
 *  - extra: entries whose request the clients did not count as answered
 *    (sent but timed out on the client's side; listed, not an error).
 * An entry id seen twice in the pages would be a store fault: counted too.
 * For each lost request (the first MAX_LOST_CONTEXT), the stored entries of
 * the same client and kind just before and after it say when it was lost
 * and whether the connection changed around it.
 */
import type { Entry } from '../entries/types.js';
import { answeredIds, KINDS, parseRequestId, requestId, requestIdOf, SOAK_FILTER, type ClientReport, type Kind } from './request-ids.js';

export const PAGE_LIMIT = 1000;
/** Lost requests whose neighbours are looked up. */
export const MAX_LOST_CONTEXT = 50;

export interface StoredRequest {
  id: string;
  rid: string;
  /** Capture time, ms since the epoch. */
  timestamp: number;
  connectionId: string;
  flags: string[];
}

/** A lost request and the stored requests of the same client and kind around it. */
export interface LostContext {
  rid: string;
  previous: StoredRequest | null;
  next: StoredRequest | null;
}

export interface KindLedger {
  kind: Kind;
  answered: number;
  stored: number;
  lost: string[];
  doubled: Array<{ rid: string; ids: string[] }>;
  extra: string[];
}

export interface Ledger {
  kinds: KindLedger[];
  lostContext: LostContext[];
  entriesRead: number;
  duplicateEntryIds: string[];
}

/** Every stored entry of a counted request (id and request id), reading every page. */
export async function fetchStoredRequests(url: string, token: string): Promise<{ requests: StoredRequest[]; entriesRead: number }> {
  const requests: StoredRequest[] = [];
  let before: number | null = null;
  let read = 0;
  for (;;) {
    const q = new URLSearchParams({ q: SOAK_FILTER, limit: String(PAGE_LIMIT), ...(before === null ? {} : { before: String(before) }) });
    const r = await fetch(`${url}/api/entries?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`GET /api/entries: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
    const page = (await r.json()) as { entries: Entry[]; next: number | null };
    read += page.entries.length;
    for (const e of page.entries) {
      const rid = requestIdOf(e);
      if (rid !== null) requests.push({ id: e.id, rid, timestamp: e.timestamp, connectionId: e.connectionId, flags: [...e.flags] });
    }
    if (page.entries.length < PAGE_LIMIT || page.next === null) return { requests, entriesRead: read };
    before = page.next;
  }
}

export function reconcileLedger(reports: readonly ClientReport[], stored: readonly StoredRequest[], entriesRead = stored.length): Ledger {
  const byRid = new Map<string, string[]>();
  const first = new Map<string, StoredRequest>();
  const seenIds = new Set<string>();
  const duplicateEntryIds: string[] = [];
  for (const s of stored) {
    if (seenIds.has(s.id)) { duplicateEntryIds.push(s.id); continue; }
    seenIds.add(s.id);
    if (!first.has(s.rid)) first.set(s.rid, s);
    const ids = byRid.get(s.rid);
    if (ids === undefined) byRid.set(s.rid, [s.id]);
    else ids.push(s.id);
  }
  const expected = new Map<string, Kind>();
  for (const r of reports) for (const a of answeredIds(r)) expected.set(a.id, a.kind);
  const kinds = KINDS.map((kind): KindLedger => ({ kind, answered: 0, stored: 0, lost: [], doubled: [], extra: [] }));
  const of = (k: Kind): KindLedger => kinds[KINDS.indexOf(k)]!;
  for (const [rid, kind] of expected) {
    const l = of(kind);
    l.answered++;
    const ids = byRid.get(rid);
    if (ids === undefined) l.lost.push(rid);
    else l.stored++;
  }
  for (const [rid, ids] of byRid) {
    const kind = parseRequestId(rid)!.kind;
    if (ids.length > 1) of(kind).doubled.push({ rid, ids });
    if (!expected.has(rid)) of(kind).extra.push(rid);
  }
  const lostContext = kinds.flatMap((k) => k.lost).slice(0, MAX_LOST_CONTEXT).map((rid): LostContext => {
    const { client, kind, seq } = parseRequestId(rid)!;
    return { rid, previous: first.get(requestId(client, kind, seq - 1)) ?? null, next: first.get(requestId(client, kind, seq + 1)) ?? null };
  });
  return { kinds, lostContext, entriesRead, duplicateEntryIds };
}
