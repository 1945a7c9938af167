/**
 * Kubeconfigs that point a client at the test API server: as the options
 * object of client-node's `KubeConfig.loadFromOptions()` and as the YAML
 * text of `loadFromString()` or a KUBECONFIG file.
 *
 * The cluster is marked insecure-skip-tls-verify: client-node 1.x refuses a
 * plain `http://` server otherwise ("HTTP protocol is not allowed when
 * skipTLSVerify is not set or false").
 */

export interface KubeConfigParams {
  /** `http://127.0.0.1:<port>`. */
  server: string;
  /** Bearer token; null for a user without credentials. */
  token: string | null;
  /** The context's default namespace. */
  namespace?: string;
  /** Name of the cluster, user and context (default `podtap-test`). */
  name?: string;
}

/** The shape of client-node's `loadFromOptions()` argument. */
export interface KubeConfigOptions {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string; token?: string }[];
  contexts: { name: string; cluster: string; user: string; namespace?: string }[];
  currentContext: string;
}

export function kubeConfigOptions(p: KubeConfigParams): KubeConfigOptions {
  const name = p.name ?? 'podtap-test';
  const user: { name: string; token?: string } = { name };
  if (p.token !== null) user.token = p.token;
  const context: { name: string; cluster: string; user: string; namespace?: string } = { name, cluster: name, user: name };
  if (p.namespace) context.namespace = p.namespace;
  return { clusters: [{ name, server: p.server, skipTLSVerify: true }], users: [user], contexts: [context], currentContext: name };
}

export function kubeConfigYaml(p: KubeConfigParams): string {
  const name = JSON.stringify(p.name ?? 'podtap-test');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${JSON.stringify(p.server)}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${name}`,
    p.token !== null ? `  user:\n    token: ${JSON.stringify(p.token)}` : '  user: {}',
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    ...(p.namespace ? [`    namespace: ${JSON.stringify(p.namespace)}`] : []),
    `current-context: ${name}`,
    '',
  ].join('\n');
}
