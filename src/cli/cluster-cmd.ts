/**
 * podtap against a cluster:
 *   - `podtap tap [POD_REGEX] -n … -e … -l … --kubeconfig …` applies the
 *     install (renderManifests) with server-side apply, waits for the hub
 *     and the workers to be ready with a progress line, then port-forwards
 *     to the hub (`--no-proxy` to skip; `--dry-run` prints the manifests);
 *   - `podtap proxy` opens the port-forward again;
 *   - `podtap clean` deletes what podtap created (objects carrying its
 *     managed-by label), and nothing else.
 */
import type { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, KubeError, type KubeOptions } from '../cluster/kube/config.js';
import { applyObject, deleteObject, getObject } from '../cluster/kube/apply.js';
import { startProxy } from '../cluster/kube/proxy.js';
import { renderManifests, renderYaml, resolveValues, objectNames, tlsBundle, HUB_PORT, TOKEN_SECRET_KEY, type DeployValues } from '../deploy/manifests.js';
import { TLS_FILES, type CertBundle } from '../hub/certs.js';
import { selectorLabels } from '../deploy/names.js';
import { generateToken } from '../hub/auth.js';
import { UsageError } from './errors.js';
import { untilSignal } from './hub-cmd.js';

/** How often readiness is polled while `tap` waits. */
export const READY_POLL_MS = 1000;
const MANAGED_BY = 'app.kubernetes.io/managed-by';

export interface ClusterTapOptions extends KubeOptions {
  podRegex?: string;
  namespaces?: string[];
  excludedNamespaces?: string[];
  selector?: string;
  includeHostNetwork?: boolean;
  releaseNamespace: string;
  image?: string;
  dryRun?: boolean;
  proxy: boolean;
  port: string;
  timeout: string;
}

/** Does this `tap` go to a cluster? Only when one is named: --kubeconfig, --context or KUBECONFIG. */
export function wantsCluster(o: { kubeconfig?: string; context?: string; demo?: boolean }): boolean {
  if (o.demo === true) return false;
  return o.kubeconfig !== undefined || o.context !== undefined || (process.env.KUBECONFIG ?? '') !== '';
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'deploy to the cluster of this kubeconfig (default: KUBECONFIG); without one, tap runs on this host')
    .option('--context <name>', 'the kubeconfig context')
    .option('--release-namespace <ns>', 'namespace podtap is installed in', 'podtap')
    .option('--image <image>', 'podtap image (repository[:tag])')
    .option('--dry-run', 'print the manifests instead of applying them')
    .option('--no-proxy', 'do not port-forward to the hub after deploying')
    .option('--port <port>', 'local port of the port-forward', String(HUB_PORT))
    .option('--timeout <seconds>', 'how long to wait for the hub and workers to be ready', '180');
}

function values(o: ClusterTapOptions, token: string | null): DeployValues {
  const [repository, tag] = o.image === undefined ? [undefined, undefined] : splitImage(o.image);
  return {
    namespace: o.releaseNamespace,
    ...(repository === undefined ? {} : { image: { repository, ...(tag === undefined ? {} : { tag }) } }),
    token: { value: token },
    worker: {
      targeting: {
        podRegex: o.podRegex || null,
        namespaces: o.namespaces ?? [],
        excludedNamespaces: o.excludedNamespaces ?? [],
        selector: o.selector ?? null,
        includeHostNetwork: o.includeHostNetwork === true,
      },
    },
  };
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`--port: expected 0–65535, got "${text}"`);
  return n;
}

/** The token already deployed (so a second `tap` keeps it), or undefined. */
async function deployedToken(kc: KubeConfig, namespace: string, secret: string): Promise<string | undefined> {
  const s = await getObject(kc, 'Secret', secret, namespace).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 403) return undefined;
    throw err;
  });
  const data = (s?.data as Record<string, string> | undefined)?.[TOKEN_SECRET_KEY];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
}

/** The TLS files already deployed (a second `tap` keeps them, so running pods and the Secret agree), or undefined. */
async function deployedTls(kc: KubeConfig, namespace: string, secret: string): Promise<CertBundle | undefined> {
  const s = await getObject(kc, 'Secret', secret, namespace).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 403) return undefined;
    throw err;
  });
  const data = (s?.data ?? {}) as Record<string, string>;
  const file = (k: string): string | undefined => (data[k] === undefined ? undefined : Buffer.from(data[k]!, 'base64').toString('utf8'));
  const b = { ca: file(TLS_FILES.ca), hubCert: file(TLS_FILES.hubCert), hubKey: file(TLS_FILES.hubKey), workerCert: file(TLS_FILES.workerCert), workerKey: file(TLS_FILES.workerKey) };
  return Object.values(b).every((x) => x !== undefined) ? (b as CertBundle) : undefined;
}

/**
 * The CA of the hub's TLS, read from the Secret its Deployment mounts; undefined when the hub
 * does not serve TLS. A CA that cannot be read is a KubeError naming the way around.
 */
async function hubCa(kc: KubeConfig, namespace: string, hub: string): Promise<string | undefined> {
  const d = await getObject(kc, 'Deployment', hub, namespace);
  const spec = (d?.spec as { template?: { spec?: { volumes?: Array<{ name: string; secret?: { secretName?: string } }> } } } | undefined)?.template?.spec;
  const secret = spec?.volumes?.find((x) => x.name === 'tls')?.secret?.secretName;
  if (secret === undefined) return undefined;
  const s = await getObject(kc, 'Secret', secret, namespace).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 403) return undefined;
    throw err;
  });
  const ca = (s?.data as Record<string, string> | undefined)?.[TLS_FILES.ca];
  if (ca === undefined) throw new KubeError(`the hub serves HTTPS, and its CA (${TLS_FILES.ca} in Secret ${namespace}/${secret}) cannot be read; use kubectl -n ${namespace} port-forward svc/${hub} ${HUB_PORT} and https://localhost:${HUB_PORT} with that CA`);
  return Buffer.from(ca, 'base64').toString('utf8');
}

export async function runClusterTap(o: ClusterTapOptions, log: (l: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  if (o.dryRun === true) {
    process.stdout.write(renderYaml(values(o, generateToken())));
    return;
  }
  const kc = await loadKubeConfig(o);
  const resolved = resolveValues(values(o, 'x'.repeat(32)));
  const names = objectNames(resolved);
  const token = (await deployedToken(kc, o.releaseNamespace, names.secret)) ?? generateToken();
  const tls = (await deployedTls(kc, o.releaseNamespace, names.tlsSecret)) ?? tlsBundle(resolved) ?? undefined;
  const objects = renderManifests(values(o, token), tls === undefined ? {} : { tls });
  for (const obj of objects) {
    await applyObject(kc, obj);
    log(`podtap tap: applied ${obj.kind} ${obj.metadata?.namespace === undefined ? '' : `${obj.metadata.namespace}/`}${obj.metadata?.name}`);
  }
  await waitReady(kc, o.releaseNamespace, names.hub, names.worker, Number(o.timeout) * 1000, log);
  if (!o.proxy) {
    log(`podtap tap: ready; reach the hub with: podtap proxy --release-namespace ${o.releaseNamespace}`);
    return;
  }
  await runProxy(kc, o.releaseNamespace, port(o.port), token, log, tls?.ca);
}

/** Poll the hub Deployment and worker DaemonSet until both are ready, printing progress; KubeError at the timeout. */
export async function waitReady(kc: KubeConfig, ns: string, hub: string, worker: string, timeoutMs: number, log: (l: string) => void): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const d = await getObject(kc, 'Deployment', hub, ns);
    const ds = await getObject(kc, 'DaemonSet', worker, ns);
    const dStatus = (d?.status ?? {}) as { readyReplicas?: number };
    const dsStatus = (ds?.status ?? {}) as { numberReady?: number; desiredNumberScheduled?: number };
    const hubReady = dStatus.readyReplicas ?? 0;
    const want = dsStatus.desiredNumberScheduled ?? 0;
    const workersReady = dsStatus.numberReady ?? 0;
    const line = `podtap tap: waiting: hub ${hubReady}/1, workers ${workersReady}/${want || '?'} ready`;
    if (line !== last) { log(line); last = line; }
    if (hubReady >= 1 && want > 0 && workersReady >= want) { log('podtap tap: hub and workers are ready'); return; }
    if (Date.now() > end) {
      throw new KubeError(`the hub and workers were not ready after ${Math.round(timeoutMs / 1000)} s (${line.replace('podtap tap: waiting: ', '')}); see kubectl -n ${ns} get pods and kubectl -n ${ns} describe pods`);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}

/** `ca`: the hub serves TLS; the proxy speaks it to the hub (checked against `ca` and the Service name) and serves plain HTTP on loopback. */
async function runProxy(kc: KubeConfig, ns: string, localPort: number, token: string | undefined, log: (l: string) => void, ca?: string): Promise<void> {
  const v = resolveValues({ namespace: ns, token: { value: 'x'.repeat(32) } });
  const tls = ca === undefined ? undefined : { ca, servername: new URL(objectNames(v).hubUrl).hostname };
  const proxy = await startProxy(kc, { namespace: ns, labels: selectorLabels(v, 'hub'), remotePort: HUB_PORT, port: localPort, log, ...(tls === undefined ? {} : { tls }) });
  log(`podtap: hub on ${proxy.url} (port-forward to ${ns}${tls === undefined ? '' : '; TLS to the hub, checked against podtap\'s CA'}; Ctrl-C stops)`);
  if (token !== undefined) log(`podtap: open ${proxy.url}/login?token=${encodeURIComponent(token)}`);
  await untilSignal();
  await proxy.close();
}

export function addProxyCommand(program: Command): void {
  program.command('proxy')
    .description('Port-forward to the hub podtap deployed in the cluster.')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context')
    .option('--release-namespace <ns>', 'namespace podtap is installed in', 'podtap')
    .option('--port <port>', 'local port', String(HUB_PORT))
    .action(async (o: KubeOptions & { releaseNamespace: string; port: string }) => {
      const kc = await loadKubeConfig(o);
      const names = objectNames(resolveValues({ namespace: o.releaseNamespace, token: { value: 'x'.repeat(32) } }));
      const ca = await hubCa(kc, o.releaseNamespace, names.hub);
      await runProxy(kc, o.releaseNamespace, port(o.port), await deployedToken(kc, o.releaseNamespace, names.secret), (l) => process.stderr.write(`${l}\n`), ca);
    });
}

/** Delete what `tap` created: each of its objects, only when it carries podtap's managed-by label. */
export async function runClean(kc: KubeConfig, releaseNamespace: string, log: (l: string) => void): Promise<string[]> {
  const removed: string[] = [];
  const objects = renderManifests({ namespace: releaseNamespace, token: { value: 'x'.repeat(32) } }).reverse(); // dependents first, the namespace last
  for (const obj of objects) {
    const kind = obj.kind ?? '', name = obj.metadata?.name ?? '', ns = obj.metadata?.namespace;
    const live = await getObject(kc, kind, name, ns);
    if (live === undefined) continue;
    const labels = ((live.metadata as { labels?: Record<string, string> } | undefined)?.labels) ?? {};
    if (labels[MANAGED_BY] !== 'podtap') { log(`podtap clean: leaving ${kind} ${name}: not created by podtap tap (managed-by ${labels[MANAGED_BY] ?? 'none'})`); continue; }
    if (await deleteObject(kc, kind, name, ns)) { removed.push(`${kind} ${ns === undefined ? '' : `${ns}/`}${name}`); log(`podtap clean: deleted ${removed[removed.length - 1]}`); }
  }
  return removed;
}

export function addCleanCommand(program: Command): void {
  program.command('clean')
    .description('Remove everything podtap tap created in the cluster, and nothing else.')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context')
    .option('--release-namespace <ns>', 'namespace podtap is installed in', 'podtap')
    .action(async (o: KubeOptions & { releaseNamespace: string }) => {
      const removed = await runClean(await loadKubeConfig(o), o.releaseNamespace, (l) => process.stderr.write(`${l}\n`));
      process.stderr.write(`podtap clean: ${removed.length === 0 ? 'nothing to remove' : `removed ${removed.length} object(s)`}\n`);
    });
}
