import type { PipelineStats } from '../pipeline/types.js';

function line(label: string, value: string | number): string {
  return `  ${label.padEnd(26)} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}\n`;
}

function map(label: string, m: Record<string, number>): string {
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return line(label, 0);
  return line(label, keys.map((k) => `${k}=${m[k]}`).join(' '));
}

/** The `--stats` summary: every counter a user needs to trust the output. */
export function formatStats(s: PipelineStats, extra: { seconds: number; format: string; written: number }): string {
  const pps = extra.seconds > 0 ? Math.round(s.packets / extra.seconds) : 0;
  return 'podtap read summary\n'
    + line('capture format', extra.format)
    + line('packets', s.packets)
    + line('bytes', s.bytes)
    + line('ipv4 / ipv6', `${s.ipv4} / ${s.ipv6}`)
    + line('tcp / udp segments', `${s.tcp} / ${s.udp}`)
    + line('icmp / icmpv6 / other ip', `${s.icmp} / ${s.icmpv6} / ${s.otherIp}`)
    + line('ip fragments', `${s.fragments} (reassembled ${s.fragmentsReassembled}, dropped ${s.fragmentsDropped})`)
    + line('tcp connections', s.connections)
    + line('udp flows', s.udpFlows)
    + line('undetected streams', s.undetectedStreams)
    + line('out-of-order segments', s.tcpOutOfOrderSegments)
    + line('retransmitted bytes', s.tcpRetransmittedBytes)
    + line('overlap bytes', s.tcpOverlapBytes)
    + line('gaps', `${s.gaps} (${s.gapBytes} bytes)`)
    + line('decode errors', s.decodeErrors)
    + map('unknown link types', s.unknownLinkType)
    + line('entries', s.entries)
    + map('entries by protocol', s.entriesByProtocol)
    + line('entries written', extra.written)
    + map('weirds', s.weirds)
    + map('limits hit', s.limitsHit)
    + line('time', `${extra.seconds.toFixed(3)} s (${pps.toLocaleString('en-US')} packets/s)`);
}
