/** GraphQL over HTTP: not a dissector of its own, a summary attached to HTTP and HTTP/2 requests. */
export { graphqlOf, MAX_GRAPHQL_BODY_CHARS, MAX_GRAPHQL_BATCH_SCAN, type GraphqlRequest, type GraphqlOperationType, type GraphqlSkip, type GraphqlCounter } from './detect.js';
export { scanOperation, MAX_GRAPHQL_SCAN_CHARS, type ScannedOperation } from './scan.js';
