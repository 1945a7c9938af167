/**
 * One line about an entry of any protocol, for the table writer (and later
 * the UI's list): what was asked, how it ended, whether that is an error.
 * A protocol may register its own describer; the rest get the generic one,
 * which reads the fields most protocols' entries have.
 */
import type { Entry } from '../entries/types.js';

export interface EntryLine {
  /** What was asked: a command, a query, a method and path. */
  summary: string;
  /** How it ended: a status, a reply type, an error. */
  status: string;
  /** The exchange failed (error reply, error status, no response). */
  error: boolean;
  /** Bytes of payload, when the protocol has a notion of it. */
  size?: number;
}

type Loose = Record<string, unknown> | null | undefined;
export type Describer = (e: Entry) => EntryLine;

const describers = new Map<string, Describer>();

export function registerDescriber(protocol: string, d: Describer): void {
  describers.set(protocol, d);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** The first of these fields that `o` has, as text. */
function pick(o: Loose, keys: readonly string[]): string | undefined {
  if (o === null || o === undefined) return undefined;
  for (const k of keys) {
    const v = str(o[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

const SUMMARY_KEYS = ['command', 'query', 'method', 'operation', 'topic', 'sni', 'path', 'type'];
const TARGET_KEYS = ['query', 'key', 'path', 'exchange', 'routingKey', 'queue', 'database', 'collection', 'topic', 'sni'];
const STATUS_KEYS = ['error', 'status', 'commandTag', 'type', 'reasonCode', 'cipher', 'code'];

export function describeEntry(e: Entry): EntryLine {
  const own = describers.get(e.protocol);
  if (own !== undefined) return own(e);
  const req = (e as { request?: Loose }).request;
  const res = (e as { response?: Loose }).response;
  const what = pick(req, SUMMARY_KEYS) ?? '';
  const target = pick(req, TARGET_KEYS);
  const summary = target !== undefined && target !== what ? `${what} ${target}` : what;
  const err = res?.error;
  // An error may be text or a structured object (code, message).
  const errText = str(err) ?? (typeof err === 'object' && err !== null ? [pick(err as Loose, ['code', 'sqlState']), pick(err as Loose, ['message'])].filter(Boolean).join(' ') : undefined);
  const error = (errText !== undefined && errText !== '') || e.flags.includes('no-response');
  const status = res === null || res === undefined ? (req === null ? '(no request)' : 'no response') : (errText || pick(res, STATUS_KEYS) || 'ok');
  return { summary: summary || e.protocol, status, error };
}
