/**
 * Pairing output: an `http2` entry (the HTTP entry's shape plus `streamId`)
 * or, when the request or response content-type is application/grpc, a
 * `grpc` entry with the call's service, method, messages and status.
 */
import type { ConnectionContext } from '../types.js';
import type { EntryFlag } from '../../entries/types.js';
import type { HttpMessage } from '../http1/message.js';
import { bodyOf, queryOf } from '../http1/entry.js';
import { elapsedMs } from '../../entries/time.js';
import { graphqlOf } from '../graphql/detect.js';
import { decodeGrpcMessage, grpcPath, grpcStatusName } from './grpc.js';
import type { H2Stream } from './stream.js';
import type { GrpcEntry, GrpcRequest, GrpcResponse, Http2Entry, Http2Request, Http2Response } from './types.js';

export function buildEntry(ctx: ConnectionContext, s: H2Stream): Http2Entry | GrpcEntry {
  const flags = s.flags; // the stream's array becomes the entry's
  const decode = ctx.options.decodeBodies;
  const req = s.req;
  const res = s.res;
  let request: Http2Request | null = null;
  let response: Http2Response | null = null;
  if (req !== null) {
    addFlags(flags, req.flags);
    if (req.overCap) addFlag(flags, 'body-truncated');
    request = {
      method: req.method,
      path: req.target,
      host: s.authority !== '' ? s.authority : req.headers.host ?? '',
      query: queryOf(req.target),
      httpVersion: 'HTTP/2',
      headers: req.headers,
      headersSize: req.headersSize,
      body: bodyOf(req, decode, flags),
      scheme: s.scheme,
    };
    if (req.trailers !== null) request.trailers = req.trailers;
    // GraphQL summary (dissectors/graphql); a gRPC call never has a GraphQL body, so it is harmless there.
    const graphql = graphqlOf(request, ctx);
    if (graphql !== null) request.graphql = graphql;
    if (s.reqIncomplete) { request.headersIncomplete = true; addFlag(flags, 'gap'); }
    if (s.promisedOn !== undefined) request.promisedOn = s.promisedOn;
    if (!s.reqEnded && s.reset === undefined) addFlag(flags, 'truncated');
  } else if (!flags.includes('no-request')) {
    flags.push('no-request');
  }
  if (res !== null) {
    addFlags(flags, res.flags);
    if (res.overCap) addFlag(flags, 'body-truncated');
    response = {
      status: res.status,
      statusText: '',
      httpVersion: 'HTTP/2',
      headers: res.headers,
      headersSize: res.headersSize,
      body: bodyOf(res, decode, flags),
    };
    if (res.trailers !== null) response.trailers = res.trailers;
    if (s.informational !== null) response.informational = s.informational;
    if (s.resIncomplete) { response.headersIncomplete = true; addFlag(flags, 'gap'); }
    if (!s.resEnded && s.reset === undefined) addFlag(flags, 'truncated');
  } else if (req !== null) {
    addFlag(flags, 'no-response');
  }
  const start = req !== null ? req.firstTs : res !== null ? res.firstTs : 0;
  const id = ctx.nextEntryId();
  const elapsedTime = req !== null && res !== null ? elapsedMs(req.firstTs, res.lastTs) : 0;
  // Literals in one key order (that of the former `{ ...base, protocol, … }`), not spreads: a spread is a slow generic copy.
  if (s.reqGrpc !== null || s.resGrpc !== null) {
    const e: GrpcEntry = {
      id, transport: 'tcp', timestamp: start, elapsedTime, src: ctx.client, dst: ctx.server, connectionId: ctx.id, flags, streamId: s.id,
      protocol: 'grpc', request: grpcRequest(s, request), response: grpcResponse(s, response, res),
    };
    for (const g of [s.reqGrpc, s.resGrpc]) {
      if (g?.protoLimits.depth === true) ctx.weird('grpc_proto_depth_limit');
      if (g?.protoLimits.fields === true) ctx.weird('grpc_proto_fields_limit');
    }
    if (s.reset !== undefined) e.reset = s.reset;
    return e;
  }
  const e: Http2Entry = {
    id, transport: 'tcp', timestamp: start, elapsedTime, src: ctx.client, dst: ctx.server, connectionId: ctx.id, flags, streamId: s.id,
    protocol: 'http2', request, response,
  };
  if (s.reset !== undefined) e.reset = s.reset;
  return e;
}

/** The request made above, with the call's fields added after its own (it is this entry's alone). */
function grpcRequest(s: H2Stream, r: Http2Request | null): GrpcRequest | null {
  if (r === null) return null;
  const [service, method] = grpcPath(r.path);
  const g = s.reqGrpc;
  const out = r as GrpcRequest;
  out.grpcService = service;
  out.grpcMethod = method;
  out.messages = g?.finish(r.headers['grpc-encoding'] ?? '') ?? [];
  out.messageCount = g?.count ?? 0;
  return out;
}

function grpcResponse(s: H2Stream, r: Http2Response | null, m: HttpMessage | null): GrpcResponse | null {
  if (r === null || m === null) return null;
  // Trailers-only responses carry grpc-status in the headers.
  const t = m.trailers ?? {};
  const statusText = t['grpc-status'] ?? m.headers['grpc-status'];
  const status = statusText === undefined || statusText === '' || !/^\d+$/.test(statusText) ? null : Number(statusText);
  const message = t['grpc-message'] ?? m.headers['grpc-message'] ?? '';
  const g = s.resGrpc;
  const out = r as GrpcResponse;
  out.grpcStatus = status;
  out.grpcStatusName = grpcStatusName(status);
  out.grpcMessage = decodeGrpcMessage(message);
  out.messages = g?.finish(m.headers['grpc-encoding'] ?? '') ?? [];
  out.messageCount = g?.count ?? 0;
  return out;
}

function addFlag(to: EntryFlag[], f: EntryFlag): void {
  if (!to.includes(f)) to.push(f);
}

function addFlags(to: EntryFlag[], from: readonly EntryFlag[]): void {
  for (const f of from) addFlag(to, f);
}
