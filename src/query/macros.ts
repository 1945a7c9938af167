/**
 * Protocol macros: a bare name such as `http` stands for a test on one entry
 * field. This table is the only place they are defined; docs/filters.md
 * lists the same rows. A protocol podtap does not decode yet simply matches
 * no entry until its dissector exists.
 */

export interface MacroDefinition {
  /** Top-level entry field the macro tests. */
  field: 'protocol' | 'transport';
  /** The macro is true when the field equals one of these. */
  values: readonly string[];
}

export const MACROS: Readonly<Record<string, MacroDefinition>> = {
  http: { field: 'protocol', values: ['http', 'http2', 'grpc'] }, // as Kubeshark: HTTP/1, HTTP/2 and gRPC
  http2: { field: 'protocol', values: ['http2'] },
  grpc: { field: 'protocol', values: ['grpc'] },
  dns: { field: 'protocol', values: ['dns'] },
  icmp: { field: 'protocol', values: ['icmp'] },
  tls: { field: 'protocol', values: ['tls'] },
  mongodb: { field: 'protocol', values: ['mongodb'] },
  redis: { field: 'protocol', values: ['redis'] },
  kafka: { field: 'protocol', values: ['kafka'] },
  amqp: { field: 'protocol', values: ['amqp'] },
  postgres: { field: 'protocol', values: ['postgres'] },
  mysql: { field: 'protocol', values: ['mysql'] },
  mqtt: { field: 'protocol', values: ['mqtt'] },
  nats: { field: 'protocol', values: ['nats'] },
  ws: { field: 'protocol', values: ['websocket'] },
  websocket: { field: 'protocol', values: ['websocket'] },
  tcp: { field: 'transport', values: ['tcp'] },
  udp: { field: 'transport', values: ['udp'] },
};

export function macroDefinition(name: string): MacroDefinition | undefined {
  return Object.hasOwn(MACROS, name) ? MACROS[name] : undefined;
}
