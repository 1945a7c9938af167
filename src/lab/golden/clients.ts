/**
 * Runs curl and dig inside a lab node and turns what they report (curl's
 * write-out and saved bodies/headers, dig's printed message) into golden
 * expectations.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../netns.js';
import { normalizeDnsData, normalizeDnsName, type ExpectedDns, type ExpectedHttp } from './types.js';

export interface CurlCall {
  /** URLs fetched by one curl process (one keep-alive connection). */
  paths: string[];
  /** POST this body (form-encoded, as `curl -d`). */
  data?: string;
  /** Ask for and decode a compressed body (`--compressed`). */
  compressed?: boolean;
}

export interface LabTarget {
  lab: Lab;
  /** Role of the node the client runs in. */
  role: string;
  clientIp: string;
  serverIp: string;
  /** Host name used in URLs; curl maps it to serverIp with --resolve (no DNS). */
  host: string;
  workDir: string;
}

const WRITE_OUT = '%{method}\\t%{url_effective}\\t%{response_code}\\t%{local_port}\\n';
let curlSeq = 0;

/** Runs one curl process for `call.paths` and returns one expectation per transfer. */
export async function runCurl(t: LabTarget, call: CurlCall): Promise<ExpectedHttp[]> {
  const seq = curlSeq++;
  const args = ['-sS', '--resolve', `${t.host}:80:${t.serverIp}`, '--interface', t.clientIp, '-w', WRITE_OUT];
  if (call.data !== undefined) args.push('-d', call.data);
  if (call.compressed) args.push('--compressed');
  const bodyFiles = call.paths.map((_, i) => join(t.workDir, `curl-${seq}-${i}.body`));
  const headerFile = join(t.workDir, `curl-${seq}.headers`);
  args.push('-D', headerFile);
  call.paths.forEach((p, i) => args.push('-o', bodyFiles[i] as string, `http://${t.host}${p}`));
  const r = await t.lab.exec(t.role, 'curl', args, { timeoutMs: 15_000 });
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== call.paths.length) throw new Error(`curl printed ${lines.length} transfers for ${call.paths.length} URLs: ${r.stdout}`);
  const headerBlocks = parseHeaderDump(await readFile(headerFile, 'utf8'));
  const out: ExpectedHttp[] = [];
  for (const [i, line] of lines.entries()) {
    const [method, url, code, port] = line.split('\t') as [string, string, string, string];
    const u = new URL(url);
    out.push({
      client: 'curl',
      clientIp: t.clientIp,
      clientPort: Number(port),
      serverIp: t.serverIp,
      serverPort: 80,
      method,
      path: u.pathname + u.search,
      host: t.host,
      status: Number(code),
      ...(call.data === undefined ? {} : { requestBody: call.data }),
      responseBody: await readFile(bodyFiles[i] as string, 'utf8'),
      ...(headerBlocks[i] ? { responseHeaders: headerBlocks[i] } : {}),
    });
  }
  return out;
}

/** Splits curl's -D dump (one block per response) into lower-cased header maps. */
export function parseHeaderDump(text: string): Array<Record<string, string>> {
  const blocks: Array<Record<string, string>> = [];
  let cur: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^HTTP\/\S+ \d{3}/.test(line)) {
      cur = {};
      blocks.push(cur);
    } else if (cur && line.includes(':')) {
      const idx = line.indexOf(':');
      const name = line.slice(0, idx).trim().toLowerCase();
      const value = line.slice(idx + 1).trim();
      cur[name] = cur[name] === undefined ? value : `${cur[name]}, ${value}`;
    }
  }
  return blocks;
}

export interface DigCall {
  name: string;
  type: string;
  tcp?: boolean;
}

/** Runs dig once and returns what it asked and what it got. */
export async function runDig(t: Omit<LabTarget, 'host' | 'workDir'>, call: DigCall): Promise<ExpectedDns> {
  const args = [`@${t.serverIp}`, '-b', t.clientIp, '+tries=1', '+time=3'];
  if (call.tcp) args.push('+tcp');
  args.push(call.name, call.type);
  const r = await t.lab.exec(t.role, 'dig', args, { timeoutMs: 15_000 });
  const parsed = parseDig(r.stdout);
  return {
    client: 'dig',
    clientIp: t.clientIp,
    serverIp: t.serverIp,
    transport: call.tcp ? 'tcp' : 'udp',
    id: parsed.id,
    name: normalizeDnsName(call.name),
    type: call.type,
    rcode: parsed.rcode,
    answers: parsed.answers.filter((a) => a.type === call.type),
  };
}

/** Reads the status, id and answer section from dig's default output. */
export function parseDig(out: string): { id: number; rcode: string; answers: ExpectedDns['answers'] } {
  const head = /->>HEADER<<- opcode: \w+, status: (\w+), id: (\d+)/.exec(out);
  if (!head) throw new Error(`dig printed no header: ${out.slice(0, 400)}`);
  const answers: ExpectedDns['answers'] = [];
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(';; ANSWER SECTION:'));
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '' || line.startsWith(';')) break;
      // name ttl class type data…, where data keeps its own spacing (TXT).
      const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
      if (!m) continue;
      const type = m[4] as string;
      answers.push({ type, ttl: Number(m[2]), data: normalizeDnsData(type, m[5] as string) });
    }
  }
  return { id: Number(head[2]), rcode: head[1] as string, answers };
}
