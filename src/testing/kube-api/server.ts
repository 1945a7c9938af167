/**
 * A test Kubernetes API server: plain HTTP on 127.0.0.1, bearer token, the
 * JSON protocol of kube-apiserver, so that the real `@kubernetes/client-node`
 * (and anything speaking the REST API) runs against it unchanged. Test
 * support only: product code never imports it.
 *
 * Faithful (what a client can observe):
 * - Paths: /api/v1/..., /apis/<group>/<version>/..., namespaced and
 *   all-namespaces collections, objects, the /status subresource, the legacy
 *   /watch/ prefix; discovery (/version, /api, /api/v1, /apis, /apis/<g>,
 *   /apis/<g>/<v>); /healthz, /livez, /readyz.
 * - Resources (resources.ts): pods, services, nodes, namespaces,
 *   serviceaccounts, secrets, configmaps, endpointslices, daemonsets,
 *   deployments, clusterroles, clusterrolebindings, roles, rolebindings.
 * - One global resourceVersion, bumped by every write, as etcd's revision.
 *   uid, creationTimestamp, generation (apps), common defaults (defaults.ts),
 *   pods created Pending, ClusterIPs allocated, status ignored on the main
 *   resource where a /status subresource exists. Namespaces default,
 *   kube-system, kube-public and kube-node-lease exist from the start.
 * - Speed: each object's JSON is made once when stored; a list of 10,000
 *   pods (18 MB) is served in about 0.3 s, in pages or whole.
 * - LIST: `<Kind>List` with metadata.resourceVersion, items in key order
 *   without kind/apiVersion, `limit` + opaque `continue` read at the first
 *   page's resourceVersion (410 Expired once compacted), remainingItemCount,
 *   labelSelector (full grammar), fieldSelector (metadata.name,
 *   metadata.namespace and each resource's selectable fields such as
 *   spec.nodeName; others are 400), resourceVersion / resourceVersionMatch
 *   semantics (list.ts): NotOlderThan serves the current state whatever the
 *   age, Exact (or a limit with a resourceVersion) reads the past and is 410
 *   when compacted, a resourceVersion ahead of the store waits then is 504.
 * - WATCH (`watch=1|true`): chunked JSON lines, replay from a
 *   resourceVersion, synthetic ADDED for unset/"0", selectors with
 *   ADDED/DELETED on entering/leaving them, ERROR with a 410 Expired Status
 *   then end of stream for a compacted resourceVersion, BOOKMARKs every
 *   `bookmarkIntervalMs` when allowWatchBookmarks=true, timeoutSeconds,
 *   sendInitialEvents with the initial-events-end bookmark.
 * - Writes: POST (201; generateName; 409 AlreadyExists; 404 for a missing
 *   namespace), PUT (409 Conflict on a stale resourceVersion), PATCH with
 *   json-patch, merge-patch, strategic-merge-patch and apply-patch+yaml
 *   (create-or-update, 201 on create, fieldManager required), DELETE
 *   (the object for pods, services, serviceaccounts and namespaces, a
 *   Success Status otherwise; preconditions), deletecollection; dryRun=All.
 * - Errors are Status objects with the real reasons, messages and codes:
 *   400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 500, 504.
 *
 * Simplified:
 * - No field ownership: server-side apply is a strategic merge (fields left
 *   out of a later apply are kept; there are no apply conflicts; `force` is
 *   accepted and ignored) and objects carry no managedFields.
 * - Deletion is immediate: no graceful pod termination, no finalizers, no
 *   garbage collection of dependents; deleting a namespace removes what is
 *   in it at once and answers with the namespace as it was.
 * - Validation covers names, namespaces, kind/apiVersion and
 *   resourceVersion preconditions only; no admission webhooks, no quotas.
 * - Only JSON (and YAML bodies): no protobuf, no Table output, no
 *   aggregated discovery, no gzip. No exec/log/portforward/scale/eviction.
 * - Authentication is one bearer token for every path (the real server lets
 *   anonymous users read /version and the health paths); authorization is
 *   allow-all minus a deny list (`deny()`).
 * - Event history is global (etcd-like), not a watch cache per resource.
 *
 * Test controls (methods of KubeApiServer): upsert/upsertMany/modify/
 * remove/get/list write and read the store directly, as controllers would
 * (every change reaches watchers; status is kept as given; no namespace
 * check); compactBefore/compact and `maxEvents` provoke 410s; dropWatches
 * cuts watch streams (clean end or reset); sendBookmarks; goOffline/goOnline;
 * deny/clearDenials; `requests` and countRequests() log every request.
 *
 * Use: `const s = await startKubeApiServer()`, then
 * `kc.loadFromOptions(s.kubeConfigOptions())` (or `loadFromString(s.kubeConfigYaml())`),
 * and `await s.close()` at the end. The kubeconfig marks the cluster
 * insecure-skip-tls-verify, which client-node 1.x requires for http://.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PortForwarder } from './portforward.js';
import type { Socket } from 'node:net';
import { admitCreate, admitUpdate, type AdmitContext } from './defaults.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { Handlers, parseBody, type Reply, type WriteOptions } from './handlers.js';
import { kubeConfigOptions, kubeConfigYaml, type KubeConfigOptions } from './kubeconfig.js';
import { listBody, parseResourceVersion } from './list.js';
import { isTrue, resolveRequest, type RequestInfo } from './request-info.js';
import { resourceByKind, resourceByName, type ResourceDef } from './resources.js';
import { parseFieldSelector, parseFilter } from './selectors.js';
import { ApiError, errors, failure } from './status.js';
import { DEFAULT_MAX_EVENTS, ObjectStore } from './store.js';
import { cloneJson, type KubeObject } from './types.js';
import { WatchStream, type WatchEndReason } from './watch.js';

export type { KubeObject, ObjectMeta, OwnerReference } from './types.js';
export type { KubeConfigOptions } from './kubeconfig.js';

/** Largest request body accepted (kube-apiserver's 3 MiB); bigger is 413. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Requests kept in `requests`; older ones are dropped and counted. */
export const MAX_REQUEST_LOG = 100_000;
/** Bytes a watch client may leave unread before the server cuts it off. */
export const MAX_WATCH_BUFFER_BYTES = 64 * 1024 * 1024;
export const DEFAULT_TOKEN = 'podtap-test-token';
export const DEFAULT_USER = 'system:serviceaccount:podtap:podtap';

export interface KubeApiServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Bearer token every request must carry; null accepts any request. Default DEFAULT_TOKEN. */
  token?: string | null;
  /** User named in 403 messages. */
  userName?: string;
  /** Events kept for watch resumption and consistent pagination (default 100,000). */
  maxEvents?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 60 s, like kube-apiserver). */
  bookmarkIntervalMs?: number;
  /** Watch duration when the client sends no timeoutSeconds (default 1800 s). */
  watchTimeoutSeconds?: number;
  /** How long a request for a resourceVersion ahead of the store waits before its 504 (default 3 s). */
  tooLargeResourceVersionWaitMs?: number;
  /** Create default, kube-system, kube-public and kube-node-lease at start (default true). */
  seedNamespaces?: boolean;
  /** Creates through the API into a missing namespace are 404, as with the NamespaceLifecycle admission (default true). */
  requireNamespace?: boolean;
  /** resourceVersion before the first write (default 1). */
  initialResourceVersion?: number;
  /** Limit of unread watch bytes per client (default MAX_WATCH_BUFFER_BYTES). */
  maxWatchBufferBytes?: number;
}

/** One request as the server saw it. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** A watch (by `watch=` or the /watch/ prefix). */
  watch: boolean;
  /** get, list, watch, create, update, patch, delete, deletecollection; undefined for discovery and other paths. */
  verb: string | undefined;
  /** Plural resource name from the path. */
  resource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  contentType: string | undefined;
  /** HTTP status sent; 0 while the answer is pending. */
  status: number;
  at: number;
}

/** A request the server answers 403. Each field left out matches anything. */
export interface DenyRule {
  verb?: string | string[];
  /** Plural resource name (`pods`). */
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
}

export interface RequestFilter {
  method?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  watch?: boolean;
  /** Pages after the first of a paginated list carry `continue`: false counts whole lists, not pages. */
  continued?: boolean;
}

export interface WatchInfo {
  resource: string;
  namespace: string | undefined;
  resourceVersion: number | undefined;
  bookmarks: boolean;
  eventsSent: number;
  bookmarksSent: number;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const s = new KubeApiServer(options);
  await s.goOnline();
  return s;
}

function toResource(kind: string): ResourceDef {
  const r = resourceByName(kind);
  if (!r) throw new Error(`kube-api test server: unknown kind or resource "${kind}"`);
  return r;
}

export class KubeApiServer {
  readonly host: string;
  readonly token: string | null;
  readonly userName: string;
  readonly store: ObjectStore;
  private portNumber: number;
  private http: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Pod port-forward (WebSocket); tests say where each pod port really goes with `portForward.route()`. */
  readonly portForward = new PortForwarder();
  private readonly watches = new Set<WatchStream>();
  private readonly denials: DenyRule[] = [];
  private readonly log: RequestRecord[] = [];
  private readonly handlers: Handlers;
  private readonly admit: AdmitContext;
  private readonly bookmarkTimer: NodeJS.Timeout;
  private nextClusterIp = 10;
  readonly stats = {
    requests: 0, requestLogDropped: 0, watchesOpened: 0, watchesExpired: 0, watchesDropped: 0,
    watchesTimedOut: 0, slowWatchClients: 0, bookmarks: 0,
  };

  constructor(private readonly opts: KubeApiServerOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.portNumber = opts.port ?? 0;
    this.token = opts.token === undefined ? DEFAULT_TOKEN : opts.token;
    this.userName = opts.userName ?? DEFAULT_USER;
    this.store = new ObjectStore({ maxEvents: opts.maxEvents ?? DEFAULT_MAX_EVENTS, initialResourceVersion: opts.initialResourceVersion ?? 1 });
    this.admit = {
      now: () => new Date(),
      allocateClusterIp: () => { const n = this.nextClusterIp++; return `10.96.${(n >> 8) & 255}.${n & 255}`; },
    };
    this.handlers = new Handlers(this.store, this.admit, opts.requireNamespace ?? true);
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs ?? 60_000);
    this.bookmarkTimer.unref();
    if (opts.seedNamespaces ?? true) {
      for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        this.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      }
    }
  }

  get port(): number { return this.portNumber; }
  get url(): string { return `http://${this.host}:${this.portNumber}`; }
  get online(): boolean { return this.http !== undefined; }
  /** The resourceVersion of the last write. */
  get resourceVersion(): number { return this.store.resourceVersion; }

  // ---- kubeconfig ----

  /** The argument of client-node's `KubeConfig.loadFromOptions()`. */
  kubeConfigOptions(p: { namespace?: string; token?: string | null } = {}): KubeConfigOptions {
    return kubeConfigOptions({ server: this.url, token: p.token === undefined ? this.token : p.token, namespace: p.namespace });
  }

  /** Kubeconfig YAML for `loadFromString()` or a KUBECONFIG file. */
  kubeConfigYaml(p: { namespace?: string; token?: string | null } = {}): string {
    return kubeConfigYaml({ server: this.url, token: p.token === undefined ? this.token : p.token, namespace: p.namespace });
  }

  // ---- lifecycle ----

  /** Starts listening (again, on the same port after goOffline). */
  async goOnline(): Promise<void> {
    if (this.http) return;
    const http = createServer((req, res) => { void this.handle(req, res); });
    http.on('upgrade', (req, socket, head) => {
      const handled = this.portForward.upgrade(req, socket, head, (ns, pod) => {
        if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) return 401;
        return this.get('Pod', ns, pod) === undefined ? 404 : 200;
      });
      if (!handled) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    http.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.portNumber, this.host, () => { http.off('error', reject); resolve(); });
    });
    this.portNumber = (http.address() as { port: number }).port;
    this.http = http;
  }

  /** Stops listening and resets every connection: clients get connection errors until goOnline(). */
  async goOffline(): Promise<void> {
    const http = this.http;
    if (!http) return;
    this.http = undefined;
    for (const w of [...this.watches]) w.destroy('server');
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async close(): Promise<void> {
    this.portForward.close();
    clearInterval(this.bookmarkTimer);
    await this.goOffline();
  }

  // ---- test controls ----

  /** Creates or replaces an object as a controller would (status kept as given). Namespace defaults to `default`. */
  upsert(obj: KubeObject): KubeObject {
    return cloneJson(this.write(obj).obj);
  }

  /** upsert() for many objects, without copies back. */
  upsertMany(objs: Iterable<KubeObject>): void {
    for (const o of objs) this.write(o);
  }

  private write(obj: KubeObject): { obj: KubeObject } {
    const r = resourceByKind(obj.apiVersion, obj.kind);
    if (!r) throw new Error(`kube-api test server: ${obj.apiVersion} ${obj.kind} is not served`);
    const o = cloneJson(obj);
    o.metadata = o.metadata ?? {};
    if (!o.metadata.name) throw new Error(`kube-api test server: upsert of a ${obj.kind} without metadata.name`);
    if (r.namespaced) o.metadata.namespace = o.metadata.namespace || 'default'; else delete o.metadata.namespace;
    const old = this.store.get(r, o.metadata.namespace, o.metadata.name);
    if (old) return this.store.put(r, admitUpdate(r, old.obj, o, this.admit, false)).current;
    admitCreate(r, o, this.admit, false);
    return this.store.put(r, o).current;
  }

  /** Changes a stored object in place (`change` gets a copy) and stores it; undefined when absent. */
  modify(kind: string, namespace: string | undefined, name: string, change: (o: KubeObject) => void): KubeObject | undefined {
    const current = this.get(kind, namespace, name);
    if (!current) return undefined;
    change(current);
    return this.upsert(current);
  }

  /** Deletes an object (watchers get DELETED); false when absent. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const r = toResource(kind);
    return this.store.delete(r, r.namespaced ? namespace ?? 'default' : undefined, name) !== undefined;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const r = toResource(kind);
    const o = this.store.get(r, r.namespaced ? namespace ?? 'default' : undefined, name);
    return o ? (JSON.parse(o.json) as KubeObject) : undefined;
  }

  /** Copies of the objects of a kind, in key order (all namespaces when `namespace` is undefined). */
  list(kind: string, namespace?: string): KubeObject[] {
    const r = toResource(kind);
    return (this.store.snapshot(r, namespace, this.store.resourceVersion) ?? []).map((o) => JSON.parse(o.json) as KubeObject);
  }

  /** Forgets events older than `rv`; watches and paginated lists from before `rv - 1` then get 410. */
  compactBefore(rv: number): void { this.store.compactBefore(rv); }

  /** Forgets all history: any watch or continue token from before the current resourceVersion gets 410. */
  compact(): void { this.store.compactBefore(this.store.resourceVersion + 1); }

  /**
   * Ends every open watch: 'close' ends the streams cleanly (the client sees
   * the response end, as when an API server shuts down), 'reset' destroys the
   * connections (the client sees a socket error). Returns how many were cut.
   */
  dropWatches(mode: 'close' | 'reset' = 'close'): number {
    const all = [...this.watches];
    for (const w of all) if (mode === 'close') w.end('server'); else w.destroy('server');
    return all.length;
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void {
    for (const w of this.watches) {
      const before = w.bookmarksSent;
      w.bookmark();
      this.stats.bookmarks += w.bookmarksSent - before;
    }
  }

  get activeWatches(): WatchInfo[] {
    return [...this.watches].map((w) => ({
      resource: w.params.resource.plural, namespace: w.params.namespace, resourceVersion: w.params.resourceVersion,
      bookmarks: w.params.allowBookmarks, eventsSent: w.eventsSent, bookmarksSent: w.bookmarksSent,
    }));
  }

  /** Answers matching requests 403 Forbidden from now on. */
  deny(rule: DenyRule): void { this.denials.push(rule); }
  clearDenials(): void { this.denials.length = 0; }

  /** Every request so far (at most MAX_REQUEST_LOG, oldest dropped first). */
  get requests(): readonly RequestRecord[] { return this.log; }
  clearRequests(): void { this.log.length = 0; }

  countRequests(f: RequestFilter = {}): number {
    return this.log.filter((r) => (f.method === undefined || r.method === f.method)
      && (f.verb === undefined || r.verb === f.verb) && (f.resource === undefined || r.resource === f.resource)
      && (f.namespace === undefined || r.namespace === f.namespace) && (f.watch === undefined || r.watch === f.watch)
      && (f.continued === undefined || (r.query.continue !== undefined && r.query.continue !== '') === f.continued)).length;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeSegment);
    const isApi = parts[0] === 'api' || parts[0] === 'apis';
    const info = isApi ? resolveRequest(method, parts, url.searchParams) : undefined;
    const rec: RequestRecord = {
      method, path: url.pathname, query: Object.fromEntries(url.searchParams), watch: info?.watch ?? false,
      verb: info?.verb, resource: info?.plural || undefined, namespace: info?.namespace, name: info?.name,
      subresource: info?.subresource, contentType: req.headers['content-type'], status: 0, at: Date.now(),
    };
    this.record(rec);
    try {
      this.authenticate(req);
      const reply = info ? await this.resourceRequest(req, res, info, url.searchParams, rec) : this.otherRequest(method, parts, isApi);
      if (reply) this.send(res, rec, reply.code, reply.json, reply.type);
    } catch (e) {
      const err = e instanceof ApiError ? e : errors.internal((e as Error).message);
      if (res.headersSent) { res.destroy(); return; }
      this.send(res, rec, err.code, JSON.stringify(err.status));
    }
  }

  private record(rec: RequestRecord): void {
    this.stats.requests++;
    this.log.push(rec);
    if (this.log.length > MAX_REQUEST_LOG) { this.log.shift(); this.stats.requestLogDropped++; }
  }

  private send(res: ServerResponse, rec: RequestRecord, code: number, body: string, type = 'application/json'): void {
    rec.status = code;
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache, private' });
    res.end(body);
  }

  private authenticate(req: IncomingMessage): void {
    if (this.token === null) return;
    if (req.headers.authorization !== `Bearer ${this.token}`) throw errors.unauthorized();
  }

  private authorize(info: RequestInfo, r: ResourceDef, path: string): void {
    for (const d of this.denials) {
      const verbs = d.verb === undefined ? undefined : Array.isArray(d.verb) ? d.verb : [d.verb];
      if (verbs && !verbs.includes(info.verb)) continue;
      if (d.resource !== undefined && d.resource !== r.plural) continue;
      if (d.group !== undefined && d.group !== r.group) continue;
      if (d.namespace !== undefined && d.namespace !== info.namespace) continue;
      if (d.name !== undefined && d.name !== info.name) continue;
      throw errors.forbidden(r, info.verb, this.userName, r.namespaced ? info.namespace : undefined, info.name, path);
    }
  }

  /** Discovery, version and health paths (GET only). */
  private otherRequest(method: string, parts: string[], isApi: boolean): Reply {
    const json = (o: object): Reply => ({ code: 200, json: JSON.stringify(o) });
    const path = `/${parts.join('/')}`;
    if (method !== 'GET') {
      if (isApi) throw errors.methodNotAllowed();
      return { code: 404, json: '404 page not found\n', type: 'text/plain; charset=utf-8' };
    }
    if (path === '/version') return json(SERVER_VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return { code: 200, json: 'ok', type: 'text/plain; charset=utf-8' };
    if (path === '/api') return json(apiVersions(`${this.host}:${this.portNumber}`));
    if (path === '/apis') return json(apiGroupList());
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = apiResourceList(parts[1]);
      if (doc) return json(doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = apiGroupDoc(parts[1]);
      if (doc) return json(doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = apiResourceList(`${parts[1]}/${parts[2]}`);
      if (doc) return json(doc);
    }
    if (!isApi) return { code: 404, json: '404 page not found\n', type: 'text/plain; charset=utf-8' };
    throw errors.noSuchPath();
  }

  private async resourceRequest(req: IncomingMessage, res: ServerResponse, info: RequestInfo, q: URLSearchParams, rec: RequestRecord): Promise<Reply | undefined> {
    const r = info.resource;
    if (!r || info.plural === '') throw errors.noSuchPath();
    if (!r.namespaced && info.namespace !== undefined) throw errors.noSuchPath();
    if (r.namespaced && info.namespace === undefined && info.name !== undefined) throw errors.noSuchPath();
    if (info.subresource !== undefined && !(info.subresource === 'status' && r.statusSubresource)) throw errors.noSuchPath();
    this.authorize(info, r, rec.path);
    const verb = info.verb;
    if (!(r.verbs as string[]).includes(verb)) throw errors.methodNotAllowed();
    if (info.subresource !== undefined && verb !== 'get' && verb !== 'update' && verb !== 'patch') throw errors.methodNotAllowed();
    if (verb === 'create' && info.name !== undefined) throw errors.methodNotAllowed();
    if ((verb === 'update' || verb === 'patch') && info.name === undefined) throw errors.methodNotAllowed();
    const dryRun = q.get('dryRun');
    if (dryRun !== null && dryRun !== 'All') throw errors.badRequest(`Invalid dryRun value: ${dryRun}. Valid values are: All`);
    const wopts: WriteOptions = { dryRun: dryRun === 'All', fieldManager: q.get('fieldManager') ?? undefined };
    const ns = info.namespace;
    switch (verb) {
      case 'get':
        await this.awaitRevision(q.get('resourceVersion'));
        return this.handlers.get(r, ns, info.name!);
      case 'list': {
        const filter = parseFilter(r, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
        const limit = q.get('limit');
        const continueToken = q.get('continue') || undefined;
        if (!continueToken) await this.awaitRevision(q.get('resourceVersion'));
        return {
          code: 200,
          json: listBody(this.store, r, {
            namespace: ns, filter, limit: limit ? Number(limit) : undefined, continueToken,
            resourceVersion: q.get('resourceVersion') ?? undefined, resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
          }),
        };
      }
      case 'watch':
        await this.startWatch(res, r, info, q, rec);
        return undefined;
      case 'create':
        return this.handlers.create(r, ns, parseBody(await readBody(req), req.headers['content-type'] ?? ''), wopts);
      case 'update':
        return this.handlers.update(r, ns, info.name!, info.subresource, parseBody(await readBody(req), req.headers['content-type'] ?? ''), wopts);
      case 'patch':
        return this.handlers.patch(r, ns, info.name!, info.subresource, await readBody(req), req.headers['content-type'] ?? '', { ...wopts, force: isTrue(q.get('force')) });
      case 'delete': {
        const raw = await readBody(req);
        return this.handlers.delete(r, ns, info.name!, raw.length ? parseBody(raw, 'application/json') : undefined, wopts);
      }
      case 'deletecollection':
        return this.handlers.deleteCollection(r, ns, parseFilter(r, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined), wopts);
      default:
        throw errors.methodNotAllowed();
    }
  }

  /** Waits until the store reaches `rv` (a "not older than" read of the future), 504 after the configured wait. */
  private async awaitRevision(text: string | null): Promise<number | undefined> {
    if (!text) return undefined;
    const rv = parseResourceVersion(text);
    if (rv <= this.store.resourceVersion) return rv;
    const waitMs = this.opts.tooLargeResourceVersionWaitMs ?? 3000;
    const reached = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { stop(); resolve(false); }, waitMs);
      const stop = this.store.subscribe(() => {
        if (this.store.resourceVersion >= rv) { clearTimeout(timer); stop(); resolve(true); }
      });
    });
    if (!reached) throw errors.tooLargeResourceVersion(rv, this.store.resourceVersion);
    return rv;
  }

  private async startWatch(res: ServerResponse, r: ResourceDef, info: RequestInfo, q: URLSearchParams, rec: RequestRecord): Promise<void> {
    const filter = parseFilter(r, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
    if (info.name !== undefined) {
      filter.fields.push(...parseFieldSelector(r, `metadata.name=${info.name.replace(/[\\,=]/g, '\\$&')}`));
      filter.empty = false;
    }
    const allowBookmarks = isTrue(q.get('allowWatchBookmarks'));
    const sendInitialEvents = isTrue(q.get('sendInitialEvents'));
    if (sendInitialEvents && (q.get('resourceVersionMatch') !== 'NotOlderThan' || !allowBookmarks)) {
      throw new ApiError(failure(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks'));
    }
    const timeoutText = q.get('timeoutSeconds');
    const asked = timeoutText ? Number(timeoutText) : NaN;
    const timeoutSeconds = Number.isFinite(asked) && asked >= 0 ? asked : this.opts.watchTimeoutSeconds ?? 1800;
    const rv = await this.awaitRevision(q.get('resourceVersion'));
    const w = new WatchStream(res, this.store, {
      resource: r, namespace: info.namespace, filter, resourceVersion: rv, allowBookmarks, sendInitialEvents,
      timeoutMs: timeoutSeconds * 1000,
    }, this.opts.maxWatchBufferBytes ?? MAX_WATCH_BUFFER_BYTES, (stream, reason) => this.watchEnded(stream, reason));
    this.watches.add(w);
    this.stats.watchesOpened++;
    rec.status = 200;
    w.start();
  }

  private watchEnded(w: WatchStream, reason: WatchEndReason): void {
    this.watches.delete(w);
    if (reason === 'expired') this.stats.watchesExpired++;
    else if (reason === 'server') this.stats.watchesDropped++;
    else if (reason === 'timeout') this.stats.watchesTimedOut++;
    else if (reason === 'slow-client') this.stats.slowWatchClients++;
  }
}

/** A path segment, percent-decoded when it decodes. */
function decodeSegment(p: string): string {
  try { return decodeURIComponent(p); } catch { return p; }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
