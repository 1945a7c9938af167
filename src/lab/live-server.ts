/**
 * For the dissectors' live tests: is a local server there, and may this
 * process record its traffic? One answer shared by every protocol's test.
 */
import { connect } from 'node:net';
import { which } from './proc.js';

/** Does something accept TCP connections on 127.0.0.1:port (within a second)? */
export function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  });
}

/** Why a live test of `server` on `port` cannot run (root for tcpdump on lo, tcpdump, the server), or false. */
export async function liveSkipReason(server: string, port: number): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'capturing needs root';
  if (which('tcpdump') === undefined) return 'tcpdump is not installed';
  if (!(await reachable(port))) return `${server} is not listening on 127.0.0.1:${port}`;
  return false;
}
