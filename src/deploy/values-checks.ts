/**
 * Checks on merged values, each failing with a DeployValuesError that names
 * the value and the fix: names as Kubernetes validates them, quantities,
 * sizes and durations as podtap parses them, requests not above limits, the
 * hub's retention inside its volume, and targeting rules the worker accepts.
 */
import { UsageError } from '../cli/errors.js';
import { parseDuration, parseSize } from '../cli/units.js';
import { RuleError } from '../cluster/model.js';
import { compilePodRegex } from '../cluster/rules.js';
import { parseSelector } from '../cluster/selector.js';
import { MIN_TOKEN_LENGTH } from '../hub/auth.js';
import { DeployValuesError } from './errors.js';
import { parseQuantity } from './quantity.js';
import type { Placement, Resources, ResolvedValues } from './values.js';

/** Longest `name`: the longest object name made from it (`<name>-hub-data`) stays a DNS label. */
export const MAX_NAME_CHARS = 40;
/** Longest token the hub compares (auth.ts refuses longer ones). */
export const MAX_TOKEN_CHARS = 1024;
/** Share of the hub's volume that retention may fill: SQLite's WAL and checkpoints need the rest. */
export const RETENTION_SHARE_OF_VOLUME = 0.8;
/** Largest --packet-ring the worker accepts. */
const MAX_PACKET_RING_BYTES = 16 * 1024 ** 3;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const IMAGE_PATH = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REPOSITORY = new RegExp(`^(?:[a-zA-Z0-9.-]+(?::\\d+)?/)?${IMAGE_PATH}(?:/${IMAGE_PATH})*$`);
const IMAGE_TAG = /^[\w][\w.-]{0,62}$/;

const fail = (path: string, problem: string, fix: string): never => { throw new DeployValuesError(path, problem, fix); };

function subdomain(path: string, v: string | null): void {
  if (v !== null && (v.length > 253 || !DNS_SUBDOMAIN.test(v))) fail(path, `"${v}" is not a valid object name`, 'use lower-case letters, digits, "-" and "." (at most 253)');
}

/** Every check; throws at the first problem. */
export function checkValues(v: ResolvedValues): void {
  if (v.name.length > MAX_NAME_CHARS || !DNS_1035.test(v.name)) fail('name', `"${v.name}" cannot prefix object names`, `use a lower-case letter, then letters, digits and "-" (at most ${MAX_NAME_CHARS})`);
  if (v.namespace.length > 63 || !DNS_LABEL.test(v.namespace)) fail('namespace', `"${v.namespace}" is not a namespace name`, 'use lower-case letters, digits and "-" (at most 63)');
  checkImage(v);
  checkToken(v);
  checkTls(v);
  checkHub(v);
  checkWorker(v);
}

function checkImage(v: ResolvedValues): void {
  const { repository, tag, pullPolicy } = v.image;
  if (/:[^/]*$/.test(repository.replace(/^[^/]*(?::\d+)\//, 'host/')) || repository.includes('@')) fail('image.repository', `"${repository}" carries a tag or digest`, 'put the tag in image.tag');
  if (!IMAGE_REPOSITORY.test(repository)) fail('image.repository', `"${repository}" is not an image name`, 'use e.g. registry.example.com/team/podtap (lower case)');
  if (tag !== null && !IMAGE_TAG.test(tag)) fail('image.tag', `"${tag}" is not usable`, 'use letters, digits, "_", "." and "-" (at most 63: it is also the app.kubernetes.io/version label)');
  if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) fail('image.pullPolicy', `is "${pullPolicy}"`, 'use Always, IfNotPresent or Never');
  v.imagePullSecrets.forEach((s, i) => subdomain(`imagePullSecrets[${i}]`, s));
}

function checkToken(v: ResolvedValues): void {
  const { value, existingSecret } = v.token;
  if (value !== null && existingSecret !== null) fail('token', 'both token.value and token.existingSecret are set', 'set one: the Secret to use, or the token to put in a new one');
  subdomain('token.existingSecret', existingSecret);
  if (value === null) return;
  if (value.length < MIN_TOKEN_LENGTH || value.length > MAX_TOKEN_CHARS) fail('token.value', `is ${value.length} characters`, `use ${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_CHARS} (the hub refuses others), or leave it out to have one generated`);
  if (!/^[\x21-\x7e]+$/.test(value)) fail('token.value', 'has spaces or characters outside printable ASCII', 'it travels in an HTTP header (Bearer TOKEN): use letters, digits and punctuation');
}

function checkTls(v: ResolvedValues): void {
  const { enabled, existingSecret } = v.tls;
  if (!enabled && existingSecret !== null) fail('tls.existingSecret', 'is set while tls.enabled is false', 'set tls.enabled: true to use the Secret, or drop tls.existingSecret');
  subdomain('tls.existingSecret', existingSecret);
}

function checkHub(v: ResolvedValues): void {
  const { retention, storage } = v.hub;
  const maxBytes = unit(() => parseSize(retention.maxBytes, 'hub.retention.maxBytes'), 'hub.retention.maxBytes', 'as the hub\'s --max-bytes, e.g. 512m or 10g');
  unit(() => parseDuration(retention.maxAge, 'hub.retention.maxAge'), 'hub.retention.maxAge', 'as the hub\'s --max-age, e.g. 12h or 7d');
  const size = bytes('hub.storage.size', storage.size);
  if (maxBytes > size * RETENTION_SHARE_OF_VOLUME) {
    fail('hub.retention.maxBytes', `${retention.maxBytes} does not leave room in hub.storage.size ${storage.size}`, `keep it at most ${RETENTION_SHARE_OF_VOLUME * 100}% of the volume (the WAL and checkpoints need the rest): lower it or raise hub.storage.size`);
  }
  subdomain('hub.storage.storageClassName', storage.storageClassName);
  checkResources('hub.resources', v.hub.resources);
  checkPlacement('hub', v.hub);
}

function checkWorker(v: ResolvedValues): void {
  const w = v.worker;
  const t = w.targeting;
  try {
    if (t.podRegex !== null) compilePodRegex(t.podRegex);
  } catch (e) { if (e instanceof RuleError) fail('worker.targeting.podRegex', e.message, 'try it first with `podtap targets REGEX` (Go RE2 syntax)'); throw e; }
  try {
    if (t.selector !== null) parseSelector(t.selector);
  } catch (e) { if (e instanceof RuleError) fail('worker.targeting.selector', e.message, 'use kubectl selector syntax, e.g. "app=api,tier!=db" (try it with `podtap targets -l`)'); throw e; }
  for (const key of ['namespaces', 'excludedNamespaces'] as const) {
    t[key].forEach((ns, i) => { if (!DNS_LABEL.test(ns) || ns.length > 63) fail(`worker.targeting.${key}[${i}]`, `"${ns}" is not a namespace name`, 'use lower-case letters, digits and "-"'); });
  }
  const { spool } = w;
  if (spool.hostPath !== null && (!spool.hostPath.startsWith('/') || spool.hostPath.split('/').includes('..') || spool.hostPath === '/')) {
    fail('worker.spool.hostPath', `"${spool.hostPath}" is not a usable node directory`, 'give an absolute path of a directory of its own, e.g. /var/lib/podtap/spool');
  }
  bytes('worker.spool.sizeLimit', spool.sizeLimit);
  unit(() => parseSize(w.packetRing, 'worker.packetRing', MAX_PACKET_RING_BYTES), 'worker.packetRing', 'as the worker\'s --packet-ring, e.g. 64m (at most 16g)');
  if (w.metricsPort !== null && (w.metricsPort < 1 || w.metricsPort > 65_535)) fail('worker.metricsPort', `${w.metricsPort} is not a port`, 'use 1–65535 (a free port on every node: the worker uses the node\'s network), or null for no metrics');
  checkResources('worker.resources', w.resources);
  checkPlacement('worker', w);
}

/** A podtap size or duration, its UsageError turned into a DeployValuesError. */
function unit(parse: () => number, path: string, fix: string): number {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) fail(path, e.message.replace(/^[\w.]+: /, ''), fix);
    throw e;
  }
}

function bytes(path: string, q: string): number {
  const n = parseQuantity(q);
  if (n === null || n <= 0) fail(path, `"${q}" is not a size`, 'use a Kubernetes quantity such as 512Mi or 2Gi');
  return n!;
}

function checkResources(path: string, r: Resources): void {
  for (const side of ['requests', 'limits'] as const) {
    for (const [k, q] of Object.entries(r[side])) {
      if (!['cpu', 'memory', 'ephemeral-storage'].includes(k)) fail(`${path}.${side}.${k}`, 'is not a resource podtap sets', 'use cpu, memory or ephemeral-storage');
      const n = parseQuantity(q!);
      if (n === null || n <= 0) fail(`${path}.${side}.${k}`, `${JSON.stringify(q)} is not a quantity`, 'use e.g. "250m" for CPU or "512Mi" for memory');
    }
  }
  for (const [k, q] of Object.entries(r.requests)) {
    const limit = (r.limits as Record<string, string | number | undefined>)[k];
    if (limit !== undefined && parseQuantity(q!)! > parseQuantity(limit)!) fail(`${path}.requests.${k}`, `${q} is above limits.${k} ${limit}`, `lower the request or raise the limit (Kubernetes refuses requests above limits)`);
  }
}

function checkPlacement(path: string, p: Placement): void {
  for (const [k, val] of Object.entries(p.nodeSelector)) {
    const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
    const prefix = k.includes('/') ? k.slice(0, k.indexOf('/')) : null;
    if (name.length > 63 || !LABEL_NAME.test(name) || (prefix !== null && !DNS_SUBDOMAIN.test(prefix))) fail(`${path}.nodeSelector`, `"${k}" is not a label key`, 'use e.g. kubernetes.io/os or a plain name');
    if (val.length > 63 || !LABEL_VALUE.test(val)) fail(`${path}.nodeSelector.${k}`, `"${val}" is not a label value`, 'use at most 63 letters, digits, "-", "_" and "."');
  }
  p.tolerations.forEach((t, i) => {
    const at = `${path}.tolerations[${i}]`;
    const op = t.operator ?? 'Equal';
    if (op !== 'Exists' && op !== 'Equal') fail(`${at}.operator`, `is "${op}"`, 'use Exists or Equal');
    if (op === 'Exists' && t.value !== undefined && t.value !== '') fail(`${at}.value`, 'is set with operator Exists', 'drop the value, or use operator Equal');
    if (op === 'Equal' && (t.key === undefined || t.key === '')) fail(`${at}.key`, 'is missing for operator Equal', 'give the taint key, or use operator Exists (with no key: every taint)');
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) fail(`${at}.effect`, `is "${t.effect}"`, 'use NoSchedule, PreferNoSchedule or NoExecute, or leave it out for all');
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') fail(`${at}.tolerationSeconds`, 'is set without effect NoExecute', 'set effect: NoExecute, or drop tolerationSeconds');
  });
  subdomain(`${path}.priorityClassName`, p.priorityClassName);
}
