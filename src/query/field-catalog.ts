/**
 * The fields a filter is usually written on, as data: name (as a filter
 * spells it), JSON type, the protocols that have it, one line of meaning.
 * Served by the hub's `GET /api/fields` for the filter bar's autocompletion.
 *
 * Not every field: any path under ROOT_FIELDS is accepted (fields.ts), and
 * docs/fields.md describes them all. The test beside this file checks that
 * every name here parses as a field and is documented there.
 */
import { MACROS } from './macros.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface FieldInfo {
  name: string;
  type: FieldType;
  description: string;
  /** The protocols whose entries have it; absent: every entry. */
  protocols?: readonly string[];
}

const HTTP = ['http', 'http2', 'grpc'] as const;
const endpoint = (side: 'src' | 'dst', who: string): FieldInfo[] => [
  { name: `${side}.ip`, type: 'string', description: `IP address of the ${who}` },
  { name: `${side}.port`, type: 'number', description: `TCP/UDP port of the ${who}` },
  { name: `${side}.name`, type: 'string', description: `workload name of the ${who} (service, pod, node or "external")` },
  { name: `${side}.namespace`, type: 'string', description: `Kubernetes namespace of the ${who}` },
  { name: `${side}.pod`, type: 'string', description: `pod that had the ${who}'s IP at the time` },
  { name: `${side}.service`, type: 'string', description: `services selecting the ${who}'s pod (comma-separated)` },
  { name: `${side}.node`, type: 'string', description: `node the ${who} runs on` },
  { name: `${side}.labels`, type: 'object', description: `pod labels of the ${who}, e.g. ${side}.labels.app` },
  { name: `${side}.dns`, type: 'string', description: `DNS name seen in the traffic for an external ${who}` },
];

export const FIELD_CATALOG: readonly FieldInfo[] = [
  { name: 'id', type: 'string', description: 'unique entry id' },
  { name: 'protocol', type: 'string', description: 'protocol of the entry (http, dns, redis, …)' },
  { name: 'transport', type: 'string', description: 'tcp, udp or icmp' },
  { name: 'timestamp', type: 'number', description: 'request start, ms since the epoch' },
  { name: 'elapsedTime', type: 'number', description: 'response end minus request start, ms' },
  { name: 'connectionId', type: 'string', description: 'same for every entry of one connection or flow' },
  { name: 'flags', type: 'array', description: 'anomalies: no-response, gap, body-truncated, …' },
  ...endpoint('src', 'client'),
  ...endpoint('dst', 'server'),
  { name: 'request.method', type: 'string', description: 'HTTP method (AMQP and MQTT: the method or packet name)', protocols: [...HTTP, 'amqp', 'mqtt'] },
  { name: 'request.path', type: 'string', description: 'request target, query string included', protocols: HTTP },
  { name: 'request.host', type: 'string', description: 'Host header or authority', protocols: HTTP },
  { name: 'request.headers', type: 'object', description: 'request headers, names lower-cased: request.headers["user-agent"]', protocols: HTTP },
  { name: 'request.body', type: 'object', description: 'request body: size, mimeType, content, truncated', protocols: ['http'] },
  { name: 'response.status', type: 'number', description: 'HTTP status code', protocols: HTTP },
  { name: 'response.headers', type: 'object', description: 'response headers, names lower-cased', protocols: HTTP },
  { name: 'response.body', type: 'object', description: 'response body: size, mimeType, content, truncated', protocols: ['http'] },
  { name: 'request.graphql.operationName', type: 'string', description: 'GraphQL operation name', protocols: ['http', 'http2'] },
  { name: 'request.graphql.operationType', type: 'string', description: 'query, mutation or subscription', protocols: ['http', 'http2'] },
  { name: 'request.grpcService', type: 'string', description: 'gRPC service', protocols: ['grpc'] },
  { name: 'request.grpcMethod', type: 'string', description: 'gRPC method', protocols: ['grpc'] },
  { name: 'response.grpcStatus', type: 'number', description: 'gRPC status code', protocols: ['grpc'] },
  { name: 'request.questions', type: 'array', description: 'DNS questions: request.questions[0].name, .type', protocols: ['dns'] },
  { name: 'response.answers', type: 'array', description: 'DNS answer records: name, type, ttl, data', protocols: ['dns'] },
  { name: 'response.rcode', type: 'number', description: 'DNS response code (0 = NOERROR)', protocols: ['dns'] },
  { name: 'response.rcodeName', type: 'string', description: 'DNS response code name (NXDOMAIN, …)', protocols: ['dns'] },
  { name: 'request.command', type: 'string', description: 'command name (Redis, MySQL, MongoDB)', protocols: ['redis', 'mysql', 'mongodb'] },
  { name: 'request.key', type: 'string', description: 'first key argument of a Redis command', protocols: ['redis'] },
  { name: 'request.query', type: 'string', description: 'SQL text (PostgreSQL, MySQL)', protocols: ['postgres', 'mysql'] },
  { name: 'response.commandTag', type: 'string', description: 'PostgreSQL command tag (SELECT 3, …)', protocols: ['postgres'] },
  { name: 'request.database', type: 'string', description: 'MongoDB database', protocols: ['mongodb'] },
  { name: 'request.collection', type: 'string', description: 'MongoDB collection', protocols: ['mongodb'] },
  { name: 'apiName', type: 'string', description: 'Kafka API (Produce, Fetch, …)', protocols: ['kafka'] },
  { name: 'request.topic', type: 'string', description: 'MQTT topic', protocols: ['mqtt'] },
  { name: 'request.exchange', type: 'string', description: 'AMQP exchange', protocols: ['amqp'] },
  { name: 'request.routingKey', type: 'string', description: 'AMQP routing key', protocols: ['amqp'] },
  { name: 'request.queue', type: 'string', description: 'AMQP queue', protocols: ['amqp'] },
  { name: 'request.sni', type: 'string', description: 'TLS server name (SNI)', protocols: ['tls'] },
  { name: 'request.ja3Hash', type: 'string', description: 'TLS client fingerprint (JA3 MD5)', protocols: ['tls'] },
  { name: 'response.version', type: 'string', description: 'TLS version chosen by the server', protocols: ['tls'] },
];

/** The macros (bare names such as `http`) with what each stands for. */
export function macroCatalog(): Array<{ name: string; description: string }> {
  return Object.entries(MACROS).map(([name, m]) => ({ name, description: `${m.field} is ${m.values.join(' or ')}` }));
}
