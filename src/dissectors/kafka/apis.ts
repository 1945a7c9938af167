/**
 * API keys, the first flexible version of each (KIP-482: request header v2,
 * compact strings, tagged fields) and error codes, from Apache Kafka's
 * clients/src/main/resources/common/message/*.json and Errors.java.
 */

/** [name, first flexible version (-1: never)] by API key. */
const APIS: ReadonlyArray<readonly [string, number]> = [
  ['Produce', 9], ['Fetch', 12], ['ListOffsets', 6], ['Metadata', 9], ['LeaderAndIsr', 4],
  ['StopReplica', 2], ['UpdateMetadata', 6], ['ControlledShutdown', 3], ['OffsetCommit', 8], ['OffsetFetch', 6],
  ['FindCoordinator', 3], ['JoinGroup', 6], ['Heartbeat', 4], ['LeaveGroup', 4], ['SyncGroup', 4],
  ['DescribeGroups', 5], ['ListGroups', 3], ['SaslHandshake', -1], ['ApiVersions', 3], ['CreateTopics', 5],
  ['DeleteTopics', 4], ['DeleteRecords', 2], ['InitProducerId', 2], ['OffsetForLeaderEpoch', 4], ['AddPartitionsToTxn', 3],
  ['AddOffsetsToTxn', 3], ['EndTxn', 3], ['WriteTxnMarkers', 1], ['TxnOffsetCommit', 3], ['DescribeAcls', 2],
  ['CreateAcls', 2], ['DeleteAcls', 2], ['DescribeConfigs', 4], ['AlterConfigs', 2], ['AlterReplicaLogDirs', 2],
  ['DescribeLogDirs', 2], ['SaslAuthenticate', 2], ['CreatePartitions', 2], ['CreateDelegationToken', 2], ['RenewDelegationToken', 2],
  ['ExpireDelegationToken', 2], ['DescribeDelegationToken', 2], ['DeleteGroups', 2], ['ElectLeaders', 2], ['IncrementalAlterConfigs', 1],
  ['AlterPartitionReassignments', 0], ['ListPartitionReassignments', 0], ['OffsetDelete', -1], ['DescribeClientQuotas', 1], ['AlterClientQuotas', 1],
  ['DescribeUserScramCredentials', 0], ['AlterUserScramCredentials', 0], ['Vote', 0], ['BeginQuorumEpoch', 1], ['EndQuorumEpoch', 1],
  ['DescribeQuorum', 0], ['AlterPartition', 0], ['UpdateFeatures', 0], ['Envelope', 0], ['FetchSnapshot', 0],
  ['DescribeCluster', 0], ['DescribeProducers', 0], ['BrokerRegistration', 0], ['BrokerHeartbeat', 0], ['UnregisterBroker', 0],
  ['DescribeTransactions', 0], ['ListTransactions', 0], ['AllocateProducerIds', 0], ['ConsumerGroupHeartbeat', 0], ['ConsumerGroupDescribe', 0],
  ['ControllerRegistration', 0], ['GetTelemetrySubscriptions', 0], ['PushTelemetry', 0], ['AssignReplicasToDirs', 0], ['ListClientMetricsResources', 0],
  ['DescribeTopicPartitions', 0],
];

export const API = {
  Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10,
  JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ApiVersions: 18, DeleteGroups: 42,
} as const;

/** Highest API key we have a name for. */
export const MAX_KNOWN_API_KEY = APIS.length - 1;
/** Highest api version accepted as plausible (detection, resync). */
export const MAX_PLAUSIBLE_API_VERSION = 20;

export function apiName(key: number): string {
  return APIS[key]?.[0] ?? `Unknown(${key})`;
}

/** Does this request use request header v2 (tagged fields) and a compact body? */
export function isFlexible(key: number, version: number): boolean {
  const first = APIS[key]?.[1] ?? -1;
  return first >= 0 && version >= first;
}

/**
 * Does the response header carry tagged fields? Flexible versions do, except
 * ApiVersions, whose response header stays v0 so that any client can read it.
 */
export function responseHeaderFlexible(key: number, version: number): boolean {
  return key !== API.ApiVersions && isFlexible(key, version);
}

const ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'UNKNOWN_SERVER_ERROR', 0: 'NONE', 1: 'OFFSET_OUT_OF_RANGE', 2: 'CORRUPT_MESSAGE', 3: 'UNKNOWN_TOPIC_OR_PARTITION',
  4: 'INVALID_FETCH_SIZE', 5: 'LEADER_NOT_AVAILABLE', 6: 'NOT_LEADER_OR_FOLLOWER', 7: 'REQUEST_TIMED_OUT', 8: 'BROKER_NOT_AVAILABLE',
  9: 'REPLICA_NOT_AVAILABLE', 10: 'MESSAGE_TOO_LARGE', 11: 'STALE_CONTROLLER_EPOCH', 12: 'OFFSET_METADATA_TOO_LARGE', 13: 'NETWORK_EXCEPTION',
  14: 'COORDINATOR_LOAD_IN_PROGRESS', 15: 'COORDINATOR_NOT_AVAILABLE', 16: 'NOT_COORDINATOR', 17: 'INVALID_TOPIC_EXCEPTION', 18: 'RECORD_LIST_TOO_LARGE',
  19: 'NOT_ENOUGH_REPLICAS', 20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 21: 'INVALID_REQUIRED_ACKS', 22: 'ILLEGAL_GENERATION', 23: 'INCONSISTENT_GROUP_PROTOCOL',
  24: 'INVALID_GROUP_ID', 25: 'UNKNOWN_MEMBER_ID', 26: 'INVALID_SESSION_TIMEOUT', 27: 'REBALANCE_IN_PROGRESS', 28: 'INVALID_COMMIT_OFFSET_SIZE',
  29: 'TOPIC_AUTHORIZATION_FAILED', 30: 'GROUP_AUTHORIZATION_FAILED', 31: 'CLUSTER_AUTHORIZATION_FAILED', 32: 'INVALID_TIMESTAMP', 33: 'UNSUPPORTED_SASL_MECHANISM',
  34: 'ILLEGAL_SASL_STATE', 35: 'UNSUPPORTED_VERSION', 36: 'TOPIC_ALREADY_EXISTS', 37: 'INVALID_PARTITIONS', 38: 'INVALID_REPLICATION_FACTOR',
  39: 'INVALID_REPLICA_ASSIGNMENT', 40: 'INVALID_CONFIG', 41: 'NOT_CONTROLLER', 42: 'INVALID_REQUEST', 43: 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  44: 'POLICY_VIOLATION', 45: 'OUT_OF_ORDER_SEQUENCE_NUMBER', 46: 'DUPLICATE_SEQUENCE_NUMBER', 47: 'INVALID_PRODUCER_EPOCH', 48: 'INVALID_TXN_STATE',
  49: 'INVALID_PRODUCER_ID_MAPPING', 50: 'INVALID_TRANSACTION_TIMEOUT', 51: 'CONCURRENT_TRANSACTIONS', 52: 'TRANSACTION_COORDINATOR_FENCED', 53: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  54: 'SECURITY_DISABLED', 55: 'OPERATION_NOT_ATTEMPTED', 56: 'KAFKA_STORAGE_ERROR', 57: 'LOG_DIR_NOT_FOUND', 58: 'SASL_AUTHENTICATION_FAILED',
  59: 'UNKNOWN_PRODUCER_ID', 60: 'REASSIGNMENT_IN_PROGRESS', 61: 'DELEGATION_TOKEN_AUTH_DISABLED', 62: 'DELEGATION_TOKEN_NOT_FOUND', 63: 'DELEGATION_TOKEN_OWNER_MISMATCH',
  64: 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', 65: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', 66: 'DELEGATION_TOKEN_EXPIRED', 67: 'INVALID_PRINCIPAL_TYPE', 68: 'NON_EMPTY_GROUP',
  69: 'GROUP_ID_NOT_FOUND', 70: 'FETCH_SESSION_ID_NOT_FOUND', 71: 'INVALID_FETCH_SESSION_EPOCH', 72: 'LISTENER_NOT_FOUND', 73: 'TOPIC_DELETION_DISABLED',
  74: 'FENCED_LEADER_EPOCH', 75: 'UNKNOWN_LEADER_EPOCH', 76: 'UNSUPPORTED_COMPRESSION_TYPE', 77: 'STALE_BROKER_EPOCH', 78: 'OFFSET_NOT_AVAILABLE',
  79: 'MEMBER_ID_REQUIRED', 80: 'PREFERRED_LEADER_NOT_AVAILABLE', 81: 'GROUP_MAX_SIZE_REACHED', 82: 'FENCED_INSTANCE_ID', 83: 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  84: 'ELECTION_NOT_NEEDED', 85: 'NO_REASSIGNMENT_IN_PROGRESS', 86: 'GROUP_SUBSCRIBED_TO_TOPIC', 87: 'INVALID_RECORD', 88: 'UNSTABLE_OFFSET_COMMIT',
  89: 'THROTTLING_QUOTA_EXCEEDED', 90: 'PRODUCER_FENCED', 91: 'RESOURCE_NOT_FOUND', 92: 'DUPLICATE_RESOURCE', 93: 'UNACCEPTABLE_CREDENTIAL',
  94: 'INCONSISTENT_VOTER_SET', 95: 'INVALID_UPDATE_VERSION', 96: 'FEATURE_UPDATE_FAILED', 97: 'PRINCIPAL_DESERIALIZATION_FAILURE', 98: 'SNAPSHOT_NOT_FOUND',
  99: 'POSITION_OUT_OF_RANGE', 100: 'UNKNOWN_TOPIC_ID', 101: 'DUPLICATE_BROKER_REGISTRATION', 102: 'BROKER_ID_NOT_REGISTERED', 103: 'INCONSISTENT_TOPIC_ID',
  104: 'INCONSISTENT_CLUSTER_ID', 105: 'TRANSACTIONAL_ID_NOT_FOUND', 106: 'FETCH_SESSION_TOPIC_ID_ERROR', 107: 'INELIGIBLE_REPLICA', 108: 'NEW_LEADER_ELECTED',
  109: 'OFFSET_MOVED_TO_TIERED_STORAGE', 110: 'FENCED_MEMBER_EPOCH', 111: 'UNRELEASED_INSTANCE_ID', 112: 'UNSUPPORTED_ASSIGNOR', 113: 'STALE_MEMBER_EPOCH',
  114: 'MISMATCHED_ENDPOINT_TYPE', 115: 'UNSUPPORTED_ENDPOINT_TYPE', 116: 'UNKNOWN_CONTROLLER_ID', 117: 'UNKNOWN_SUBSCRIPTION_ID', 118: 'TELEMETRY_TOO_LARGE',
  119: 'INVALID_REGISTRATION',
};

export function errorName(code: number): string {
  return ERRORS[code] ?? `UNKNOWN_ERROR_${code}`;
}
