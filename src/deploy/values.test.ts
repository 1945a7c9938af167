/**
 * Bad values: each gives a DeployValuesError naming the value and the fix,
 * never an object Kubernetes (or podtap) would refuse later.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { DeployValuesError, renderManifests, tlsBundle } from './manifests.js';
import { GIVEN_TOKEN } from './value-cases.js';
import { DEFAULT_VALUES, resolveValues, type DeployValues } from './values.js';

const token = { value: GIVEN_TOKEN };

/** [values, the value named, words of the fix] */
const BAD: Array<[string, unknown, string, RegExp]> = [
  ['a typo', { worker: { spol: { enabled: false } } }, 'worker.spol', /did you mean worker\.spool\?/],
  ['an unknown key', { extra: 1 }, 'extra', /known here: name, namespace/],
  ['a string where a boolean goes', { hub: { redact: 'no' } }, 'hub.redact', /give true or false/],
  ['null where a value is required', { hub: { storage: { size: null } } }, 'hub.storage.size', /give a string/],
  ['a mapping given a list', { hub: { nodeSelector: ['a'] } }, 'hub.nodeSelector', /give a mapping/],
  ['an unquoted boolean in a node selector', { worker: { nodeSelector: { ssd: true } } }, 'worker.nodeSelector.ssd', /quote "true"/],
  ['a name that cannot prefix objects', { name: 'Pod_Tap' }, 'name', /lower-case letter/],
  ['a name too long for "-hub-data"', { name: 'a'.repeat(41) }, 'name', /at most 40/],
  ['a namespace with dots', { namespace: 'a.b' }, 'namespace', /not a namespace name/],
  ['a tag inside image.repository', { image: { repository: 'podtap:1.0' } }, 'image.repository', /put the tag in image\.tag/],
  ['an upper-case repository', { image: { repository: 'Podtap' } }, 'image.repository', /lower case/],
  ['a tag too long for the version label', { image: { tag: 'v'.repeat(64) } }, 'image.tag', /at most 63/],
  ['a pull policy typo', { image: { pullPolicy: 'always' } }, 'image.pullPolicy', /Always, IfNotPresent or Never/],
  ['a short token', { token: { value: 'short' } }, 'token.value', /use 16 to 1024/],
  ['a token with a space', { token: { value: 'with a space 0123456789' } }, 'token.value', /HTTP header/],
  ['both token and existing Secret', { token: { value: GIVEN_TOKEN, existingSecret: 'x' } }, 'token', /set one/],
  ['a bad retention size', { hub: { retention: { maxBytes: 'lots' } } }, 'hub.retention.maxBytes', /size like .*e.g. 512m/],
  ['a bad retention age', { hub: { retention: { maxAge: '7 weeks' } } }, 'hub.retention.maxAge', /duration like/],
  ['retention larger than the volume', { hub: { retention: { maxBytes: '2g' } } }, 'hub.retention.maxBytes', /at most 80% of the volume/],
  ['a volume size that is not a quantity', { hub: { storage: { size: '2 GB' } } }, 'hub.storage.size', /Kubernetes quantity/],
  ['a request above its limit', { worker: { resources: { requests: { memory: '2Gi' } } } }, 'worker.resources.requests.memory', /lower the request or raise the limit/],
  ['a resource podtap does not set', { hub: { resources: { limits: { 'nvidia.com/gpu': '1' } } } }, 'hub.resources.limits.nvidia.com/gpu', /cpu, memory or ephemeral-storage/],
  ['a CPU quantity typo', { hub: { resources: { requests: { cpu: '100 m' } } } }, 'hub.resources.requests.cpu', /not a quantity/],
  ['a port out of range', { worker: { metricsPort: 70000 } }, 'worker.metricsPort', /1–65535/],
  ['a port that is not a number', { worker: { metricsPort: '9100' } }, 'worker.metricsPort', /whole number/],
  ['a relative hostPath', { worker: { spool: { hostPath: 'spool' } } }, 'worker.spool.hostPath', /absolute path/],
  ['a bad packet ring', { worker: { packetRing: '64 elephants' } }, 'worker.packetRing', /size like/],
  ['a regex that does not compile', { worker: { targeting: { podRegex: '(' } } }, 'worker.targeting.podRegex', /podtap targets/],
  ['a bad selector', { worker: { targeting: { selector: 'app in cart' } } }, 'worker.targeting.selector', /kubectl selector syntax/],
  ['a bad namespace to target', { worker: { targeting: { namespaces: ['Shop'] } } }, 'worker.targeting.namespaces[0]', /lower-case/],
  ['a toleration with an unknown field', { worker: { tolerations: [{ operater: 'Exists' }] } }, 'worker.tolerations[0].operater', /use key, operator/],
  ['Equal without a key', { hub: { tolerations: [{ operator: 'Equal', value: 'x' }] } }, 'hub.tolerations[0].key', /operator Exists/],
  ['Exists with a value', { worker: { tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] } }, 'worker.tolerations[0].value', /drop the value/],
  ['tolerationSeconds without NoExecute', { worker: { tolerations: [{ operator: 'Exists', tolerationSeconds: 5 }] } }, 'worker.tolerations[0].tolerationSeconds', /effect: NoExecute/],
  ['a bad node selector key', { hub: { nodeSelector: { 'a b': 'c' } } }, 'hub.nodeSelector', /not a label key/],
  ['a bad priority class', { worker: { priorityClassName: 'High Priority' } }, 'worker.priorityClassName', /not a valid object name/],
  ['a bad pull secret name', { imagePullSecrets: ['Reg_Cred'] }, 'imagePullSecrets[0]', /not a valid object name/],
  ['a TLS Secret while TLS is off', { tls: { enabled: false, existingSecret: 'mine' } }, 'tls.existingSecret', /set tls\.enabled: true/],
  ['a bad TLS Secret name', { tls: { existingSecret: 'My_TLS' } }, 'tls.existingSecret', /not a valid object name/],
  ['TLS given a string', { tls: { enabled: 'yes' } }, 'tls.enabled', /give true or false/],
];

describe('bad values give a DeployValuesError naming the value and the fix', () => {
  for (const [what, values, path, fix] of BAD) {
    test(what, () => {
      const input = { token, ...(values as DeployValues) };
      assert.throws(() => renderManifests(input), (e: unknown) => {
        assert.ok(e instanceof DeployValuesError, `expected a DeployValuesError, got ${String(e)}`);
        assert.equal(e.path, path);
        assert.match(e.message, fix);
        assert.ok(e.message.startsWith(`deploy value ${path}: `));
        return true;
      });
    });
  }
});

describe('good values', () => {
  test('the defaults resolve, and resolving does not change DEFAULT_VALUES', () => {
    const before = JSON.stringify(DEFAULT_VALUES);
    const v = resolveValues({ hub: { nodeSelector: { a: 'b' } } });
    v.worker.tolerations.push({ key: 'x', operator: 'Exists' });
    assert.equal(JSON.stringify(DEFAULT_VALUES), before);
  });

  test('an empty string in an optional value means none, as in the chart', () => {
    const v = resolveValues({ token, hub: { storage: { storageClassName: '' } }, worker: { targeting: { podRegex: '' } } });
    assert.equal(v.hub.storage.storageClassName, null);
    assert.equal(v.worker.targeting.podRegex, null);
  });

  test('resolved values render to the same objects again (callers may resolve first to read the token, and make the TLS files)', () => {
    const v = resolveValues({});
    const tls = tlsBundle(v)!;
    assert.deepEqual(renderManifests(v, { tls }), renderManifests(v, { tls }));
    assert.equal(resolveValues(v).token.value, v.token.value);
  });
});
