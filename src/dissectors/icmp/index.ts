/** ICMP and ICMPv6: echo pairs and errors as entries (driven by the pipeline, not a stream dissector). */
export { IcmpLayer, MAX_PENDING_ECHOES, type IcmpHost } from './icmp-layer.js';
export { decodeIcmp, originalOf, kindOf, ICMP_HEADER_BYTES, type IcmpKind } from './parser.js';
export { icmpTypeName, icmpCodeName, isIcmpError } from './names.js';
export type { IcmpEntry, IcmpMessage, IcmpOriginal } from './entry.js';
