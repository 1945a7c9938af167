/** ICMP (RFC 792, 1191, 1812) and ICMPv6 (RFC 4443, 4861) type and code names, kebab-case. */

type Names = Record<number, string>;

const V4_TYPES: Names = {
  0: 'echo-reply', 3: 'destination-unreachable', 4: 'source-quench', 5: 'redirect', 8: 'echo-request',
  9: 'router-advertisement', 10: 'router-solicitation', 11: 'time-exceeded', 12: 'parameter-problem',
  13: 'timestamp-request', 14: 'timestamp-reply',
};
const V4_CODES: Record<number, Names> = {
  3: {
    0: 'net-unreachable', 1: 'host-unreachable', 2: 'protocol-unreachable', 3: 'port-unreachable',
    4: 'fragmentation-needed', 5: 'source-route-failed', 6: 'destination-network-unknown',
    7: 'destination-host-unknown', 8: 'source-host-isolated', 9: 'network-administratively-prohibited',
    10: 'host-administratively-prohibited', 11: 'network-unreachable-for-tos', 12: 'host-unreachable-for-tos',
    13: 'communication-administratively-prohibited', 14: 'host-precedence-violation', 15: 'precedence-cutoff-in-effect',
  },
  5: { 0: 'redirect-for-network', 1: 'redirect-for-host', 2: 'redirect-for-tos-and-network', 3: 'redirect-for-tos-and-host' },
  11: { 0: 'ttl-exceeded-in-transit', 1: 'fragment-reassembly-time-exceeded' },
  12: { 0: 'pointer-indicates-error', 1: 'missing-required-option', 2: 'bad-length' },
};

const V6_TYPES: Names = {
  1: 'destination-unreachable', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'parameter-problem',
  128: 'echo-request', 129: 'echo-reply', 133: 'router-solicitation', 134: 'router-advertisement',
  135: 'neighbor-solicitation', 136: 'neighbor-advertisement', 137: 'redirect',
};
const V6_CODES: Record<number, Names> = {
  1: {
    0: 'no-route-to-destination', 1: 'communication-administratively-prohibited', 2: 'beyond-scope-of-source-address',
    3: 'address-unreachable', 4: 'port-unreachable', 5: 'source-address-failed-policy', 6: 'reject-route-to-destination',
  },
  3: { 0: 'hop-limit-exceeded-in-transit', 1: 'fragment-reassembly-time-exceeded' },
  4: { 0: 'erroneous-header-field', 1: 'unrecognized-next-header', 2: 'unrecognized-ipv6-option' },
};

/** `type-<n>` for a type without a name. */
export function icmpTypeName(v6: boolean, type: number): string {
  return (v6 ? V6_TYPES : V4_TYPES)[type] ?? `type-${type}`;
}

/** '' for code 0 of a type that defines no codes (echo), `code-<n>` for an unnamed code. */
export function icmpCodeName(v6: boolean, type: number, code: number): string {
  const codes = (v6 ? V6_CODES : V4_CODES)[type];
  if (codes === undefined) return code === 0 ? '' : `code-${code}`;
  return codes[code] ?? `code-${code}`;
}

export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;

/** Error messages: they quote the start of the packet that caused them. */
export function isIcmpError(v6: boolean, type: number): boolean {
  return v6 ? type >= 1 && type <= 4 : type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}
