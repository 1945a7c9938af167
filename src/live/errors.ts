/**
 * `LiveCaptureError`: every way opening or filtering a live capture can fail,
 * as one line that names the fix. `kind` lets callers branch without parsing.
 */

export type LiveCaptureErrorKind =
  | 'not-built'          // the native module is missing or does not load
  | 'no-such-interface'
  | 'permission'         // needs root or CAP_NET_RAW
  | 'interface-down'
  | 'netns'              // the network namespace could not be entered
  | 'invalid-filter'     // pcap's compiler refused the expression
  | 'invalid-option'
  | 'closed'
  | 'capture';           // the reader stopped on an error (interface removed…)

export class LiveCaptureError extends Error {
  override readonly name = 'LiveCaptureError';
  constructor(readonly kind: LiveCaptureErrorKind, message: string) {
    super(message);
  }
}

/** The fix printed when the addon is missing. */
export const BUILD_FIX = 'apt-get install libpcap-dev && npm rebuild podtap';

/** Maps an error thrown by the addon (it carries `code`) to a LiveCaptureError. */
export function fromNativeError(err: unknown, iface: string, netns: string | undefined, filter?: string): LiveCaptureError {
  const e = err as { code?: unknown; message?: unknown };
  const msg = oneLine(String(e?.message ?? err));
  const where = netns === undefined ? '' : ` in network namespace ${netns}`;
  const list = netns === undefined ? '`ip link`' : `\`nsenter --net=${netns} ip link\``;
  switch (e?.code) {
    case 'ENODEV': return new LiveCaptureError('no-such-interface', `no such interface "${iface}"${where} (run ${list} to list them)`);
    case 'EPERM': return new LiveCaptureError('permission', `no permission to capture on "${iface}": run as root or grant CAP_NET_RAW (${msg})`);
    case 'ENOTUP': return new LiveCaptureError('interface-down', `interface "${iface}"${where} is down (ip link set ${iface} up)`);
    case 'ENETNS': return new LiveCaptureError('netns', `${msg} (needs root or CAP_SYS_ADMIN, and an existing namespace path)`);
    case 'EFILTER': return new LiveCaptureError('invalid-filter', `invalid capture filter "${filter ?? ''}": ${msg}`);
    case 'EINVAL': return new LiveCaptureError('invalid-option', msg);
    case 'ECLOSED': return new LiveCaptureError('closed', msg);
    default: return new LiveCaptureError('capture', `capture on "${iface}"${where} failed: ${msg}`);
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
