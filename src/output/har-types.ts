/**
 * HAR 1.2 objects as podtap writes them
 * (http://www.softwareishard.com/blog/har-12-spec/). Only the fields podtap
 * fills are listed; custom fields start with "_" as the spec asks.
 */
import type { Endpoint, EntryFlag } from '../entries/types.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  /** ISO 8601 date-time. */
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface HarPostData {
  mimeType: string;
  text: string;
  /** Not in HAR 1.2 (postData has no encoding): "base64" when `text` is base64 of a binary body. */
  _encoding?: 'base64';
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  headersSize: number;
  bodySize: number;
}

export interface HarContent {
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  bodySize: number;
}

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  receive: number;
  ssl: number;
}

/** podtap's own facts about an entry, kept in the custom `_podtap` field. */
export interface HarPodtapInfo {
  id: string;
  flags: EntryFlag[];
  src: Endpoint;
  dst: Endpoint;
  /** Interim 1xx statuses seen before the final response. */
  informational?: number[];
  requestTrailers?: Record<string, string>;
  responseTrailers?: Record<string, string>;
  /** Bodies are kept up to a cap; these say which one was cut (sizes above are the true sizes). */
  requestBodyTruncated?: boolean;
  responseBodyTruncated?: boolean;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  serverIPAddress: string;
  connection: string;
  _podtap: HarPodtapInfo;
}
