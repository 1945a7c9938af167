/** Command bytes, capability flags, column types and status flags of the MySQL protocol. */

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x00: 'COM_SLEEP', 0x01: 'COM_QUIT', 0x02: 'COM_INIT_DB', 0x03: 'COM_QUERY', 0x04: 'COM_FIELD_LIST',
  0x05: 'COM_CREATE_DB', 0x06: 'COM_DROP_DB', 0x07: 'COM_REFRESH', 0x08: 'COM_SHUTDOWN', 0x09: 'COM_STATISTICS',
  0x0a: 'COM_PROCESS_INFO', 0x0b: 'COM_CONNECT', 0x0c: 'COM_PROCESS_KILL', 0x0d: 'COM_DEBUG', 0x0e: 'COM_PING',
  0x0f: 'COM_TIME', 0x10: 'COM_DELAYED_INSERT', 0x11: 'COM_CHANGE_USER', 0x12: 'COM_BINLOG_DUMP',
  0x13: 'COM_TABLE_DUMP', 0x14: 'COM_CONNECT_OUT', 0x15: 'COM_REGISTER_SLAVE', 0x16: 'COM_STMT_PREPARE',
  0x17: 'COM_STMT_EXECUTE', 0x18: 'COM_STMT_SEND_LONG_DATA', 0x19: 'COM_STMT_CLOSE', 0x1a: 'COM_STMT_RESET',
  0x1b: 'COM_SET_OPTION', 0x1c: 'COM_STMT_FETCH', 0x1d: 'COM_DAEMON', 0x1e: 'COM_BINLOG_DUMP_GTID',
  0x1f: 'COM_RESET_CONNECTION', 0xfa: 'COM_STMT_BULK_EXECUTE',
};

export const COM_QUIT = 0x01;
export const COM_INIT_DB = 0x02;
export const COM_QUERY = 0x03;
export const COM_FIELD_LIST = 0x04;
export const COM_STATISTICS = 0x09;
export const COM_PING = 0x0e;
export const COM_CHANGE_USER = 0x11;
export const COM_STMT_PREPARE = 0x16;
export const COM_STMT_EXECUTE = 0x17;
export const COM_STMT_SEND_LONG_DATA = 0x18;
export const COM_STMT_CLOSE = 0x19;
export const COM_STMT_FETCH = 0x1c;
export const COM_BINLOG_DUMP = 0x12;
export const COM_BINLOG_DUMP_GTID = 0x1e;

/** Commands the server never answers. */
export function hasNoResponse(cmd: number): boolean {
  return cmd === COM_QUIT || cmd === COM_STMT_CLOSE || cmd === COM_STMT_SEND_LONG_DATA;
}

export function commandName(cmd: number): string {
  return COMMAND_NAMES[cmd] ?? `COM_0x${cmd.toString(16).padStart(2, '0')}`;
}

export const CLIENT_CONNECT_WITH_DB = 0x8;
export const CLIENT_LOCAL_FILES = 0x80;
export const CLIENT_PROTOCOL_41 = 0x200;
export const CLIENT_SSL = 0x800;
export const CLIENT_SECURE_CONNECTION = 0x8000;
export const CLIENT_PLUGIN_AUTH = 0x80000;
export const CLIENT_CONNECT_ATTRS = 0x100000;
export const CLIENT_PLUGIN_AUTH_LENENC_DATA = 0x200000;
export const CLIENT_SESSION_TRACK = 0x800000;
export const CLIENT_DEPRECATE_EOF = 0x1000000;
export const CLIENT_QUERY_ATTRIBUTES = 0x8000000;

export const SERVER_MORE_RESULTS_EXISTS = 0x0008;

/** Column types (enum_field_types). */
export const T = {
  DECIMAL: 0x00, TINY: 0x01, SHORT: 0x02, LONG: 0x03, FLOAT: 0x04, DOUBLE: 0x05, NULL: 0x06, TIMESTAMP: 0x07,
  LONGLONG: 0x08, INT24: 0x09, DATE: 0x0a, TIME: 0x0b, DATETIME: 0x0c, YEAR: 0x0d, NEWDATE: 0x0e, VARCHAR: 0x0f,
  BIT: 0x10, TIMESTAMP2: 0x11, DATETIME2: 0x12, TIME2: 0x13, JSON: 0xf5, NEWDECIMAL: 0xf6, ENUM: 0xf7, SET: 0xf8,
  TINY_BLOB: 0xf9, MEDIUM_BLOB: 0xfa, LONG_BLOB: 0xfb, BLOB: 0xfc, VAR_STRING: 0xfd, STRING: 0xfe, GEOMETRY: 0xff,
} as const;
