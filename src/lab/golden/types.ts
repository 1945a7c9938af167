/**
 * What the lab's clients did, written down from the client side (curl's
 * write-out, dig's output, Node's callbacks). This is the golden expectation
 * podtap's entries are checked against, and the shape of
 * fixtures/golden/*.expected.json. Nothing in here comes from podtap.
 */

export type LabClient = 'curl' | 'dig' | 'node';

export interface ExpectedHttp {
  client: LabClient;
  clientIp: string;
  /** Client's local port: exchanges on one keep-alive connection share it. */
  clientPort: number;
  serverIp: string;
  serverPort: number;
  method: string;
  /** Request-target as sent, with the query string. */
  path: string;
  host: string;
  status: number;
  /** Request body as sent (text), when there was one. */
  requestBody?: string;
  /** Response body as the client got it after content decoding (text). */
  responseBody?: string;
  /** Response headers the client saw that podtap must report too (lower-case names). */
  responseHeaders?: Record<string, string>;
}

export interface ExpectedDnsAnswer {
  type: string;
  /** Presentation form, normalised by `normalizeDnsData`. */
  data: string;
  ttl?: number;
}

export interface ExpectedDns {
  client: LabClient;
  clientIp: string;
  serverIp: string;
  transport: 'udp' | 'tcp';
  /** Message id when the client printed it (dig does, Node does not). */
  id?: number;
  /** Question name, lower-case, no trailing dot. */
  name: string;
  type: string;
  /** RCODE name as the client reported it: NOERROR, NXDOMAIN… */
  rcode: string;
  /** Answer records of the question's type, in any order. */
  answers: ExpectedDnsAnswer[];
}

export interface GoldenExpectation {
  /** Capture file name, beside the expectation. */
  capture: string;
  /** How the capture was made and how to regenerate it. */
  note: string;
  http: ExpectedHttp[];
  dns: ExpectedDns[];
}

/** Lower-case, no trailing dot. */
export function normalizeDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * One presentation form for record data on both sides: names without the
 * trailing dot, TXT as its raw text (quoted strings unquoted and joined),
 * IPv6 compressed, whitespace collapsed.
 */
export function normalizeDnsData(type: string, data: string): string {
  if (type === 'TXT') return data.trimStart().startsWith('"') ? unquoteTxt(data) : data;
  let d = data.trim().replace(/\s+/g, ' ');
  switch (type) {
    case 'AAAA':
      try {
        return new URL(`http://[${d}]/`).hostname.slice(1, -1);
      } catch {
        return d.toLowerCase();
      }
    case 'MX':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      d = d.toLowerCase();
      return d.split(' ').map((p) => p.replace(/\.$/, '')).join(' ');
    default:
      return d;
  }
}

/** `"a b" "c\\"d"` (zone-file form, as dig prints TXT) to the joined raw text `a bc"d`. */
export function unquoteTxt(presentation: string): string {
  let out = '';
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(presentation); m; m = re.exec(presentation)) {
    out += (m[1] ?? '').replace(/\\(\d{3}|.)/g, (_, c: string) => (c.length === 3 ? String.fromCharCode(Number(c)) : c));
  }
  return out;
}
