/**
 * Request ids: every request a counted client makes carries one, in the
 * place its protocol keeps in the entry, so the hub's entries can be matched
 * to the clients' own counts one by one.
 *
 *   id        `<client>-<letter><seq>`, e.g. `c17-h3` (a DNS label: a-z, 0-9, -)
 *   http      GET /soak/<id> (keep-alive: letter h; a new connection each: n)
 *   dns       A <id>.soak.cluster.local (NXDOMAIN from the cluster DNS)  d
 *   redis     GET soak:<id>                                             r
 *   postgres  SELECT 'soak:<id>' AS rid (simple query)                  p
 */
import type { Entry } from '../entries/types.js';

export const KINDS = ['http', 'http-new', 'dns', 'redis', 'postgres'] as const;
export type Kind = (typeof KINDS)[number];

const LETTER: Record<Kind, string> = { http: 'h', 'http-new': 'n', dns: 'd', redis: 'r', postgres: 'p' };
const KIND_OF: Record<string, Kind> = Object.fromEntries(KINDS.map((k) => [LETTER[k], k]));

export const KIND_LABELS: Record<Kind, string> = {
  http: 'HTTP/1 keep-alive', 'http-new': 'HTTP/1 new conn', dns: 'DNS (UDP)', redis: 'Redis', postgres: 'PostgreSQL',
};

export const DNS_SUFFIX = '.soak.cluster.local';
const ID = /^([a-z][a-z0-9]*)-([hndrp])(\d+)$/;

export function requestId(client: string, kind: Kind, seq: number): string {
  return `${client}-${LETTER[kind]}${seq}`;
}

export function parseRequestId(id: string): { client: string; kind: Kind; seq: number } | null {
  const m = ID.exec(id);
  return m === null ? null : { client: m[1]!, kind: KIND_OF[m[2]!]!, seq: Number(m[3]) };
}

export const httpPath = (id: string): string => `/soak/${id}`;
export const dnsName = (id: string): string => `${id}${DNS_SUFFIX}`;
export const redisKey = (id: string): string => `soak:${id}`;
export const pgQuery = (id: string): string => `SELECT 'soak:${id}' AS rid`;

/** The hub filter that selects the entries of counted requests (and few others). */
export const SOAK_FILTER = [
  '(http and request.path.startsWith("/soak/"))',
  `(dns and request.questions[0].name.endsWith("${DNS_SUFFIX}"))`,
  '(redis and request.key.startsWith("soak:"))',
  '(postgres and request.query.contains("\'soak:"))',
].join(' or ');

/** The request id an entry carries, or null for an entry of other traffic. */
export function requestIdOf(e: Entry): string | null {
  let id: string | undefined;
  if (e.protocol === 'http') id = /^\/soak\/([a-z0-9-]+)$/.exec(e.request?.path ?? '')?.[1];
  else if (e.protocol === 'dns') {
    const name = e.request?.questions[0]?.name.toLowerCase() ?? '';
    if (name.endsWith(DNS_SUFFIX)) id = name.slice(0, -DNS_SUFFIX.length);
  } else if (e.protocol === 'redis') id = /^soak:([a-z0-9-]+)$/.exec(e.request?.key ?? '')?.[1];
  else if (e.protocol === 'postgres') id = /'soak:([a-z0-9-]+)'/.exec(e.request?.query ?? '')?.[1];
  return id !== undefined && parseRequestId(id) !== null ? id : null;
}

/** What one kind of request came to, as the client counted it. */
export interface KindCount {
  sent: number;
  answered: number;
  /** Sequence numbers sent and not answered (timeout, reset): the rest of 1..sent were answered. */
  unanswered: number[];
}

/** What a counted client prints when it is done (client.ts). */
export interface ClientReport {
  client: string;
  pod: string;
  startedAt: number;
  endedAt: number;
  kinds: Record<Kind, KindCount>;
  /** First few error messages. */
  errors: string[];
}

/** Every request id a report says was answered, with its kind. */
export function answeredIds(r: ClientReport): Array<{ id: string; kind: Kind }> {
  const out: Array<{ id: string; kind: Kind }> = [];
  for (const kind of KINDS) {
    const c = r.kinds[kind];
    const missing = new Set(c.unanswered);
    for (let seq = 1; seq <= c.sent; seq++) if (!missing.has(seq)) out.push({ id: requestId(r.client, kind, seq), kind });
  }
  return out;
}
