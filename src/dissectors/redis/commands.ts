/**
 * What podtap knows about Redis commands: their names (to accept inline
 * commands and detect the protocol), which ones have subcommands, and where
 * their first key is. Unknown commands still make entries; they only get no
 * key and no subcommand.
 */

/** Commands whose second word names the operation: `CLIENT SETNAME`, `CONFIG GET`, … */
const CONTAINERS = new Set([
  'ACL', 'CLIENT', 'CLUSTER', 'COMMAND', 'CONFIG', 'DEBUG', 'FUNCTION', 'LATENCY', 'MEMORY', 'MODULE',
  'OBJECT', 'PUBSUB', 'SCRIPT', 'SLOWLOG', 'XGROUP', 'XINFO',
]);

/** Commands whose first argument is a key. */
const KEY_FIRST = new Set(`APPEND BITCOUNT BITFIELD BITFIELD_RO BITPOS BLMOVE BLPOP BRPOP BRPOPLPUSH BZPOPMAX BZPOPMIN COPY DECR DECRBY DEL DUMP
EXISTS EXPIRE EXPIREAT EXPIRETIME GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO
GEOSEARCH GEOSEARCHSTORE GET GETBIT GETDEL GETEX GETRANGE GETSET HDEL HEXISTS HEXPIRE HGET HGETALL HINCRBY HINCRBYFLOAT HKEYS HLEN HMGET
HMSET HPERSIST HPEXPIRE HRANDFIELD HSCAN HSET HSETNX HSTRLEN HTTL HVALS INCR INCRBY INCRBYFLOAT LCS LINDEX LINSERT LLEN LMOVE LPOP LPOS
LPUSH LPUSHX LRANGE LREM LSET LTRIM MGET MOVE MSET MSETNX PERSIST PEXPIRE PEXPIREAT PEXPIRETIME PFADD PFCOUNT PFMERGE PSETEX PTTL
RENAME RENAMENX RESTORE RPOP RPOPLPUSH RPUSH RPUSHX SADD SCARD SDIFF SDIFFSTORE SET SETBIT SETEX SETNX SETRANGE SINTER SINTERSTORE
SISMEMBER SMEMBERS SMISMEMBER SMOVE SORT SORT_RO SPOP SRANDMEMBER SREM SSCAN STRLEN SUBSTR SUNION SUNIONSTORE TOUCH TTL TYPE UNLINK
WATCH XACK XADD XAUTOCLAIM XCLAIM XDEL XLEN XPENDING XRANGE XREVRANGE XSETID XTRIM ZADD ZCARD ZCOUNT ZDIFFSTORE ZINCRBY ZINTERSTORE
ZLEXCOUNT ZMSCORE ZPOPMAX ZPOPMIN ZRANDMEMBER ZRANGE ZRANGEBYLEX ZRANGEBYSCORE ZRANGESTORE ZRANK ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK
ZREMRANGEBYSCORE ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK ZSCAN ZSCORE ZUNIONSTORE JSON.GET JSON.SET JSON.DEL`.split(/\s+/));

/** Commands with no key (or whose first key needs no lookup here). */
const KEYLESS = `AUTH BGREWRITEAOF BGSAVE DBSIZE DISCARD ECHO EXEC FAILOVER FLUSHALL FLUSHDB HELLO INFO KEYS LASTSAVE MONITOR MULTI
PING PSUBSCRIBE PSYNC PUBLISH PUNSUBSCRIBE QUIT RANDOMKEY READONLY READWRITE REPLCONF REPLICAOF RESET ROLE SAVE SCAN SELECT
SHUTDOWN SLAVEOF SPUBLISH SSUBSCRIBE SUBSCRIBE SUNSUBSCRIBE SWAPDB SYNC TIME UNSUBSCRIBE UNWATCH WAIT WAITAOF`.split(/\s+/);

/** `numkeys` at this argument index, the first key right after it. */
const NUMKEYS: Record<string, number> = {
  EVAL: 2, EVALSHA: 2, EVAL_RO: 2, EVALSHA_RO: 2, FCALL: 2, FCALL_RO: 2, LMPOP: 1, ZMPOP: 1, BLMPOP: 2, BZMPOP: 2,
  SINTERCARD: 1, ZDIFF: 1, ZINTER: 1, ZINTERCARD: 1, ZUNION: 1,
};

/** First key at a fixed index other than 1 (the command name is index 0). */
const KEY_AT: Record<string, number> = {
  BITOP: 2, MIGRATE: 3, 'OBJECT ENCODING': 2, 'OBJECT FREQ': 2, 'OBJECT IDLETIME': 2, 'OBJECT REFCOUNT': 2,
  'MEMORY USAGE': 2, 'XINFO STREAM': 2, 'XINFO GROUPS': 2, 'XINFO CONSUMERS': 2, 'XGROUP CREATE': 2,
  'XGROUP DESTROY': 2, 'XGROUP SETID': 2, 'XGROUP CREATECONSUMER': 2, 'XGROUP DELCONSUMER': 2, 'DEBUG OBJECT': 2,
};

const KNOWN = new Set([...CONTAINERS, ...KEY_FIRST, ...KEYLESS, ...Object.keys(NUMKEYS), ...Object.keys(KEY_AT).map((k) => k.split(' ')[0]),
  'XREAD', 'XREADGROUP', 'OBJECT', 'ASKING', 'LOLWUT', 'GEOSEARCH', 'ZADD', 'BLPOP', 'SUBSCRIBE']);

/** Longest command name podtap looks at. */
export const MAX_COMMAND_NAME = 64;

export function isKnownCommand(upper: string): boolean {
  return KNOWN.has(upper);
}

export function isContainer(upper: string): boolean {
  return CONTAINERS.has(upper);
}

/**
 * Index (in the full argument list, command name at 0) of the first key, or
 * -1. `words` is the command as upper-cased words (`["OBJECT", "ENCODING"]`);
 * `arg(i)` gives argument i as text.
 */
export function firstKeyIndex(command: string, count: number, arg: (i: number) => string): number {
  let at = -1;
  if (KEY_AT[command] !== undefined) at = KEY_AT[command];
  else if (NUMKEYS[command] !== undefined) {
    const n = Number(arg(NUMKEYS[command]));
    at = Number.isInteger(n) && n > 0 ? NUMKEYS[command] + 1 : -1;
  } else if (command === 'XREAD' || command === 'XREADGROUP') {
    for (let i = 1; i < count; i++) if (arg(i).toUpperCase() === 'STREAMS') { at = i + 1; break; }
  } else if (KEY_FIRST.has(command)) at = 1;
  return at > 0 && at < count ? at : -1;
}

export const SUBSCRIBE_FAMILY = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']);

/**
 * Splits an inline command line the way Redis does (sdssplitargs): words
 * separated by blanks, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes,
 * 'single quotes' with \' only. `balanced` is false when a quote is not closed
 * (Redis answers a protocol error); the words are then split on blanks only.
 */
export function splitInline(line: Uint8Array): { words: Uint8Array[]; balanced: boolean } {
  const words: Uint8Array[] = [];
  const n = line.length;
  const blank = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  const hex = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1);
  let i = 0;
  while (i < n) {
    while (i < n && blank(line[i])) i++;
    if (i >= n) break;
    const cur: number[] = [];
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (i >= n) {
        if (inDq || inSq) return { words: plainSplit(line), balanced: false };
        break;
      }
      const c = line[i];
      if (inDq) {
        if (c === 0x5c && i + 3 < n && line[i + 1] === 0x78 && hex(line[i + 2]) >= 0 && hex(line[i + 3]) >= 0) {
          cur.push(hex(line[i + 2]) * 16 + hex(line[i + 3])); i += 4; continue;
        }
        if (c === 0x5c && i + 1 < n) {
          const e = line[i + 1];
          cur.push(e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e);
          i += 2; continue;
        }
        if (c === 0x22) {
          if (i + 1 < n && !blank(line[i + 1])) return { words: plainSplit(line), balanced: false };
          i++; break;
        }
        cur.push(c); i++; continue;
      }
      if (inSq) {
        if (c === 0x5c && i + 1 < n && line[i + 1] === 0x27) { cur.push(0x27); i += 2; continue; }
        if (c === 0x27) {
          if (i + 1 < n && !blank(line[i + 1])) return { words: plainSplit(line), balanced: false };
          i++; break;
        }
        cur.push(c); i++; continue;
      }
      if (blank(c)) break;
      if (c === 0x22) inDq = true;
      else if (c === 0x27) inSq = true;
      else cur.push(c);
      i++;
    }
    words.push(Uint8Array.from(cur));
  }
  return { words, balanced: true };
}

function plainSplit(line: Uint8Array): Uint8Array[] {
  const words: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const blank = i === line.length || line[i] === 0x20 || line[i] === 0x09;
    if (blank && start !== -1) { words.push(line.slice(start, i)); start = -1; } else if (!blank && start === -1) start = i;
  }
  return words;
}
