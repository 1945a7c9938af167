/**
 * The AMQP 0-9-1 method table: names, argument layouts, who may send each
 * method, which replies a synchronous method waits for, and which methods
 * carry content (a header frame and body frames follow).
 */

/**
 * Argument types: o octet, s short, l long, L longlong, S shortstr, X longstr,
 * T table, b bit (consecutive bits share an octet), P a secret longstr (only
 * its length is shown). A field named `-` is reserved: read and dropped.
 */
type ArgType = 'o' | 's' | 'l' | 'L' | 'S' | 'X' | 'T' | 'b' | 'P';
export interface ArgSpec { type: ArgType; name: string | null }

export interface MethodSpec {
  name: string;
  args: readonly ArgSpec[];
  /** 'c' client only, 's' server only, 'b' both. */
  sender: 'c' | 's' | 'b';
  /** Method ids (same class) that answer it; empty for asynchronous methods. */
  replies: readonly number[];
  /** Header and body frames follow. */
  content: boolean;
  /** Argument that, when true, says no reply will come. */
  noWait?: string;
}

/** "S exchange, b no-wait" → argument specs; `-` as name marks a reserved field. */
function args(layout: string): ArgSpec[] {
  if (layout === '') return [];
  return layout.split(',').map((part) => {
    const [type, name] = part.trim().split(' ') as [ArgType, string];
    return { type, name: name === '-' ? null : name };
  });
}

const CLASSES: Record<number, string> = { 10: 'connection', 20: 'channel', 40: 'exchange', 50: 'queue', 60: 'basic', 85: 'confirm', 90: 'tx' };

type Row = [classId: number, methodId: number, name: string, sender: 'c' | 's' | 'b', layout: string, replies?: number[], extra?: { content?: boolean; noWait?: string }];

const CLOSE = 's replyCode, S replyText, s classId, s methodId';
const ROWS: Row[] = [
  [10, 10, 'start', 's', 'o versionMajor, o versionMinor, T serverProperties, X mechanisms, X locales', [11]],
  [10, 11, 'start-ok', 'c', 'T clientProperties, S mechanism, P response, S locale'],
  [10, 20, 'secure', 's', 'X challenge', [21]],
  [10, 21, 'secure-ok', 'c', 'P response'],
  [10, 30, 'tune', 's', 's channelMax, l frameMax, s heartbeat', [31]],
  [10, 31, 'tune-ok', 'c', 's channelMax, l frameMax, s heartbeat'],
  [10, 40, 'open', 'c', 'S virtualHost, S -, b -', [41]],
  [10, 41, 'open-ok', 's', 'S -'],
  [10, 50, 'close', 'b', CLOSE, [51]],
  [10, 51, 'close-ok', 'b', ''],
  [10, 60, 'blocked', 's', 'S reason'],
  [10, 61, 'unblocked', 's', ''],
  [10, 70, 'update-secret', 's', 'P newSecret, S reason', [71]],
  [10, 71, 'update-secret-ok', 'c', ''],
  [20, 10, 'open', 'c', 'S -', [11]],
  [20, 11, 'open-ok', 's', 'X -'],
  [20, 20, 'flow', 'b', 'b active', [21]],
  [20, 21, 'flow-ok', 'b', 'b active'],
  [20, 40, 'close', 'b', CLOSE, [41]],
  [20, 41, 'close-ok', 'b', ''],
  [40, 10, 'declare', 'c', 's -, S exchange, S type, b passive, b durable, b autoDelete, b internal, b noWait, T arguments', [11], { noWait: 'noWait' }],
  [40, 11, 'declare-ok', 's', ''],
  [40, 20, 'delete', 'c', 's -, S exchange, b ifUnused, b noWait', [21], { noWait: 'noWait' }],
  [40, 21, 'delete-ok', 's', ''],
  [40, 30, 'bind', 'c', 's -, S destination, S source, S routingKey, b noWait, T arguments', [31], { noWait: 'noWait' }],
  [40, 31, 'bind-ok', 's', ''],
  [40, 40, 'unbind', 'c', 's -, S destination, S source, S routingKey, b noWait, T arguments', [51], { noWait: 'noWait' }],
  [40, 51, 'unbind-ok', 's', ''],
  [50, 10, 'declare', 'c', 's -, S queue, b passive, b durable, b exclusive, b autoDelete, b noWait, T arguments', [11], { noWait: 'noWait' }],
  [50, 11, 'declare-ok', 's', 'S queue, l messageCount, l consumerCount'],
  [50, 20, 'bind', 'c', 's -, S queue, S exchange, S routingKey, b noWait, T arguments', [21], { noWait: 'noWait' }],
  [50, 21, 'bind-ok', 's', ''],
  [50, 30, 'purge', 'c', 's -, S queue, b noWait', [31], { noWait: 'noWait' }],
  [50, 31, 'purge-ok', 's', 'l messageCount'],
  [50, 40, 'delete', 'c', 's -, S queue, b ifUnused, b ifEmpty, b noWait', [41], { noWait: 'noWait' }],
  [50, 41, 'delete-ok', 's', 'l messageCount'],
  [50, 50, 'unbind', 'c', 's -, S queue, S exchange, S routingKey, T arguments', [51]],
  [50, 51, 'unbind-ok', 's', ''],
  [60, 10, 'qos', 'c', 'l prefetchSize, s prefetchCount, b global', [11]],
  [60, 11, 'qos-ok', 's', ''],
  [60, 20, 'consume', 'c', 's -, S queue, S consumerTag, b noLocal, b noAck, b exclusive, b noWait, T arguments', [21], { noWait: 'noWait' }],
  [60, 21, 'consume-ok', 's', 'S consumerTag'],
  [60, 30, 'cancel', 'b', 'S consumerTag, b noWait', [31], { noWait: 'noWait' }],
  [60, 31, 'cancel-ok', 'b', 'S consumerTag'],
  [60, 40, 'publish', 'c', 's -, S exchange, S routingKey, b mandatory, b immediate', [], { content: true }],
  [60, 50, 'return', 's', 's replyCode, S replyText, S exchange, S routingKey', [], { content: true }],
  [60, 60, 'deliver', 's', 'S consumerTag, L deliveryTag, b redelivered, S exchange, S routingKey', [], { content: true }],
  [60, 70, 'get', 'c', 's -, S queue, b noAck', [71, 72]],
  [60, 71, 'get-ok', 's', 'L deliveryTag, b redelivered, S exchange, S routingKey, l messageCount', [], { content: true }],
  [60, 72, 'get-empty', 's', 'S -'],
  [60, 80, 'ack', 'b', 'L deliveryTag, b multiple'],
  [60, 90, 'reject', 'c', 'L deliveryTag, b requeue'],
  [60, 100, 'recover-async', 'c', 'b requeue'],
  [60, 110, 'recover', 'c', 'b requeue', [111]],
  [60, 111, 'recover-ok', 's', ''],
  [60, 120, 'nack', 'b', 'L deliveryTag, b multiple, b requeue'],
  [85, 10, 'select', 'c', 'b noWait', [11], { noWait: 'noWait' }],
  [85, 11, 'select-ok', 's', ''],
  [90, 10, 'select', 'c', '', [11]],
  [90, 11, 'select-ok', 's', ''],
  [90, 20, 'commit', 'c', '', [21]],
  [90, 21, 'commit-ok', 's', ''],
  [90, 30, 'rollback', 'c', '', [31]],
  [90, 31, 'rollback-ok', 's', ''],
];

const TABLE = new Map<number, MethodSpec>();
for (const [c, m, name, sender, layout, replies, extra] of ROWS) {
  TABLE.set(c * 65536 + m, { name: `${CLASSES[c]}.${name}`, args: args(layout), sender, replies: replies ?? [], content: extra?.content ?? false, noWait: extra?.noWait });
}

export function methodSpec(classId: number, methodId: number): MethodSpec | undefined {
  return TABLE.get(classId * 65536 + methodId);
}

/** "basic.publish", or "class-60.method-99" for what the table does not know. */
export function methodName(classId: number, methodId: number): string {
  return methodSpec(classId, methodId)?.name ?? `${CLASSES[classId] ?? `class-${classId}`}.method-${methodId}`;
}
