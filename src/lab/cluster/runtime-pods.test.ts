/**
 * Pods added to and removed from a running lab: the wiring matches what the
 * build writes for a planned pod, addresses go round robin, and (with root)
 * an added pod on each CNI reaches a server and is gone after removePod.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LabError } from '../netns.js';
import { buildClusterLab, clusterLabSkipReason, listNamespaces } from './lab.js';
import { namespaceLines, podLines } from './network.js';
import { nextPodHost, planRuntimePod } from './runtime-pods.js';
import { defaultClusterSpec, planCluster } from './spec.js';
import { runHttpClient, startHttpServer } from './workloads.js';

test('podLines writes what the build writes for the same pod, on both CNIs', () => {
  const plan = planCluster(defaultClusterSpec(), 'unit');
  const all = namespaceLines(plan);
  for (const node of plan.nodes) {
    for (const pod of node.pods) {
      const lines = podLines(plan, node, pod);
      assert.deepEqual(all.get(pod.ns), lines.pod, `${pod.key}: pod side`);
      for (const l of lines.node) assert.ok(all.get(node.ns)?.includes(l), `${pod.key}: node side "${l}"`);
      assert.equal(lines.nodeSysctls.length, node.cni === 'routed' ? 2 : 0);
    }
  }
});

test('runtime pod addresses go round robin, skip used ones, and names must be new', () => {
  const plan = planCluster(defaultClusterSpec(), 'unit');
  const node1 = plan.nodes[0]!; // client .2, web-1 .3
  assert.equal(nextPodHost(node1, 3), 4);
  assert.equal(nextPodHost(node1, 254), 4, 'wraps, skipping .2 and .3');
  const pod = planRuntimePod('ptc-unit', node1, plan.pods, { name: 'extra', namespace: 'soak' }, 4);
  assert.equal(pod.ip, '10.240.1.4');
  assert.equal(pod.ns, 'ptc-unit-p-soak-extra');
  assert.match(pod.hostVeth, /^veth[0-9a-f]{8}$/);
  assert.throws(() => planRuntimePod('ptc-unit', node1, plan.pods, { name: 'client' }, 5), LabError);
  assert.throws(() => planRuntimePod('ptc-unit', node1, plan.pods, { name: 'Bad_Name' }, 5), LabError);
});

test('a pod added at runtime on each CNI reaches a server; removePod deletes its namespace', { timeout: 60_000 }, async (t) => {
  const skip = clusterLabSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  try {
    const server = await startHttpServer(lab, 'default/web-1', { port: 8080 });
    const target = `${lab.pod('web-1').ip}:8080`;
    for (const node of ['node1', 'node2']) {
      const pod = await lab.addPod(node, { name: `extra-${node}`, namespace: 'soak', labels: { app: 'extra' } });
      assert.ok(lab.inventory().items.some((i) => i.kind === 'Pod' && i.metadata.name === pod.name), 'in the inventory');
      assert.ok(lab.interfacesOf(node).pods.some((p) => p.iface === pod.hostVeth), 'in interfacesOf');
      const r = await runHttpClient(lab, pod.key, { target, count: 3, newConnections: true });
      assert.equal(r.ok, 3, `${node}: ${JSON.stringify(r.errors)}`);
      await lab.removePod(pod.key);
      assert.deepEqual(await listNamespaces(pod.ns), [], 'namespace removed');
      assert.throws(() => lab.pod(pod.key), LabError);
    }
    await server.stop();
  } finally {
    await lab.teardown();
  }
});
