/**
 * Resident memory of the capture rings (libpcap's TPACKET_V3 blocks, mapped
 * from the packet sockets: `socket:[inode]` lines of /proc/self/smaps). They
 * are sized by `bufferBytes` per capture and the kernel writes them, so the
 * memory guard counts the process without them: a cap that counted them
 * would shed pipeline state for memory the pipeline does not hold.
 */
import { readFileSync } from 'node:fs';

/** Sum of `Rss:` of the socket mappings in smaps text (bytes). */
export function socketMappingRss(smaps: string): number {
  let total = 0;
  let inSocket = false;
  for (const line of smaps.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) { inSocket = /\ssocket:\[\d+\]\s*$/.test(line); continue; }
    if (inSocket && line.startsWith('Rss:')) total += Number(/(\d+)/.exec(line)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** The process's resident set size without its capture rings; the plain RSS where /proc cannot be read. */
export function rssWithoutRings(): number {
  const rss = process.memoryUsage.rss();
  try {
    return Math.max(0, rss - socketMappingRss(readFileSync('/proc/self/smaps', 'utf8')));
  } catch {
    return rss;
  }
}
