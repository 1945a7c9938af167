/**
 * Targets fed datagram by datagram through a real Pipeline: DNS over UDP
 * (the datagram dissector) and ICMP/ICMPv6 (the IP layer's echo pairing and
 * error quoting). Inputs are conversations (conversation.ts) whose segments
 * are whole datagrams or ICMP messages.
 */
import { DISSECTORS, DissectorRegistry } from '../../dissectors/registry.js';
import { icmpMessage, quotedUdp } from '../../dissectors/icmp/test-packets.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { type Conversation, Option, SegFlag, decodeConversation, encodeConversation } from '../conversation.js';
import { mutateConversation } from '../conversation-mutate.js';
import { feedIcmp, feedUdp } from '../feed.js';
import { icmpConversations, spread, udpConversations } from '../library.js';
import { type FuzzTarget, tokens } from '../target.js';
import { consumeEntry } from './entries.js';

const dnsUdp = DISSECTORS.find((s) => s.name === 'dns' && s.transport === 'udp')!;
const dnsRegistry = new DissectorRegistry([dnsUdp, ...DISSECTORS.filter((s) => s !== dnsUdp)]);

const dnsUdpTarget: FuzzTarget = {
  name: 'dns-udp',
  about: 'DNS over UDP (queries and answers paired per flow, records, EDNS, SVCB)',
  dict: tokens('\xc0\x0c', '\xc0', '\x00\x00', '\x3f', '\x00\x29\x10\x00', '\x00\x41', '\x00\xff', '\x00\x01\x00\x01'),
  seeds: () => spread(udpConversations().filter((c) => c.labels.includes('dns')).map((c) => c.input)),
  mutate: (input, cx, rounds) => mutateConversation(input, cx, 'content', rounds),
  run(input) {
    const p = new Pipeline(consumeEntry, {}, dnsRegistry);
    feedUdp(p, decodeConversation(input));
    p.finish();
  },
};

/** Echo pairs and errors both ways, IPv4 and IPv6, beside what the fixtures hold. */
function icmpExtras(): Conversation[] {
  const c = (v6: boolean, ...msgs: Array<[boolean, Buffer]>): Conversation => ({
    options: v6 ? Option.IPV6 : 0, port: 0, isnClient: 0, isnServer: 0,
    segments: msgs.map(([server, data]) => ({ flags: server ? SegFlag.SERVER : 0, seq: 0, data })),
  });
  const echo = (type: number, seq: number): Buffer => icmpMessage({ src: '', dst: '', type, identifier: 7, sequence: seq, payload: Buffer.from('abcdefgh') });
  return [
    c(false, [false, echo(8, 1)], [true, echo(0, 1)], [false, echo(8, 2)]),
    c(true, [false, echo(128, 1)], [true, echo(129, 1)]),
    c(false, [true, icmpMessage({ src: '', dst: '', type: 3, code: 3, payload: quotedUdp('10.0.0.1', '10.0.0.2', 40000, 53) })]),
    c(true, [true, icmpMessage({ src: '', dst: '', type: 1, code: 4, payload: quotedUdp('fd00::1', 'fd00::2', 40000, 53) })]),
    c(false, [true, icmpMessage({ src: '', dst: '', type: 11, payload: quotedUdp('10.0.0.1', '10.0.0.2', 40000, 80) })]),
  ];
}

const icmpTarget: FuzzTarget = {
  name: 'icmp',
  about: 'ICMP/ICMPv6 echo pairing and quoted-packet errors',
  seeds: () => spread([...icmpExtras().map(encodeConversation), ...icmpConversations()]),
  mutate: (input, cx, rounds) => mutateConversation(input, cx, 'content', rounds),
  run(input) {
    const p = new Pipeline(consumeEntry);
    feedIcmp(p, decodeConversation(input));
    p.finish();
  },
};

export const DATAGRAM_TARGETS: readonly FuzzTarget[] = [dnsUdpTarget, icmpTarget];
