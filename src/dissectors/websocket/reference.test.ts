/**
 * Corpus WebSocket captures (fixtures/websocket/, copied from the shared
 * corpus): the suricata-verify traces against tshark's frame list
 * (*.tshark.tsv: fin, opcode, mask, payload length per frame), folded into
 * messages the way the dissector folds them, and three Zeek traces that must
 * decode without a violation. Also the committed loopback recordings.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixturePath } from '../../util/paths.js';
import { runCapture } from './test-support.js';
import { inflatingDirections, setMaxInflatingDirections } from './inflate.js';

const SURICATA = [
  'suricata-verify__tests__websocket__basic_websockets',
  'suricata-verify__tests__websocket-ping__input',
  'suricata-verify__tests__websocket-compressed__example_websocket',
  'suricata-verify__tests__websocket-control-frag__input',
];

const NAMES = ['continuation', 'text', 'binary', '', '', '', '', '', 'close', 'ping', 'pong'];

interface Want { opcode: string; masked: boolean; frames: number; wireSize: number }

/** tshark frames → messages: data frames join until FIN; control frames stand alone; per masked (= direction). */
function messages(tsv: string): Want[] {
  const rows = tsv.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('frame.'));
  const open = new Map<boolean, Want>();
  const out: Want[] = [];
  for (const r of rows) {
    const [, , fin, opcode, mask, len] = r.split('\t');
    const op = Number(opcode);
    const masked = mask === '1';
    if (op >= 8) { out.push({ opcode: NAMES[op]!, masked, frames: 1, wireSize: Number(len) }); continue; }
    const cur = open.get(masked);
    const m = op === 0 && cur !== undefined ? cur : { opcode: NAMES[op]!, masked, frames: 0, wireSize: 0 };
    m.frames++;
    m.wireSize += Number(len);
    open.set(masked, m);
    if (fin === '1') { out.push(m); open.delete(masked); }
  }
  return out;
}

for (const name of SURICATA) {
  test(`suricata ${name.split('__').slice(2).join('/')}: messages agree with tshark's frames`, async () => {
    const { ws, http } = await runCapture(fixturePath('websocket', `${name}.pcap`));
    assert.equal(http.filter((e) => e.flags.includes('upgrade')).length, 1, 'one upgrade exchange');
    const got = ws.map((e) => { const m = (e.request ?? e.response)!; return { opcode: m.opcode, masked: m.masked, frames: m.frames, wireSize: m.wireSize }; });
    assert.deepEqual(got, messages(readFileSync(fixturePath('websocket', `${name}.tshark.tsv`), 'utf8')));
    for (const e of ws) assert.ok(!e.flags.includes('violation') && !e.flags.includes('body-decode-error'), `${JSON.stringify(e.flags)}`);
  });
}

test('suricata websocket-compressed: the deflated text messages inflate to readable text', async () => {
  const { ws } = await runCapture(fixturePath('websocket', 'suricata-verify__tests__websocket-compressed__example_websocket.pcap'));
  const msgs = ws.map((e) => (e.request ?? e.response)!);
  assert.ok(msgs.every((m) => m.compressed && m.encoding === 'text' && m.size > 0));
  assert.ok(msgs.every((m) => !m.content.includes('\uFFFD')), msgs.map((m) => m.content).join(' | '));
});

for (const name of ['broker-websocket', 'jupyter-websocket', 'wstunnel-http']) {
  test(`zeek ${name}: handed over after the 101 and decoded without a violation`, async () => {
    const { ws, http } = await runCapture(fixturePath('websocket', `zeek-${name}.pcap`));
    assert.ok(http.some((e) => e.flags.includes('upgrade')));
    assert.ok(ws.length > 0, 'websocket entries');
    for (const e of ws) assert.ok(!e.flags.includes('violation') && !e.flags.includes('body-decode-error'), `${name}: ${JSON.stringify(e.flags)}`);
  });
}

for (const name of ['plain', 'deflate', 'deflate-no-takeover']) {
  test(`committed loopback capture ws-${name}: 5 messages each way plus ping, pong and two closes`, async () => {
    const { ws, http } = await runCapture(fixturePath('websocket', `ws-${name}.pcap`));
    assert.equal(http.length, 1);
    assert.equal(ws.length, 14);
    assert.ok(ws.every((e) => e.flags.length === 0));
    const texts = ws.filter((e) => e.request?.opcode === 'text').map((e) => e.request!.content);
    assert.equal(texts[0], 'hello');
    assert.equal(texts.at(-1), 'frag-one|frag-two|frag-end');
  });
}

test('past the limit of directions holding inflate state, compressed messages are shown as sent, flagged and counted', async () => {
  setMaxInflatingDirections(inflatingDirections());
  try {
    const { ws, stats } = await runCapture(fixturePath('websocket', 'ws-deflate.pcap'));
    const compressed = ws.filter((e) => (e.request ?? e.response)!.compressed);
    assert.ok(compressed.length > 0);
    for (const e of compressed) assert.ok(e.flags.includes('body-decode-error'), JSON.stringify(e.flags));
    assert.equal(stats.weirds.websocket_inflate_streams_limit, compressed.length);
  } finally {
    setMaxInflatingDirections(undefined);
  }
  const again = await runCapture(fixturePath('websocket', 'ws-deflate.pcap'));
  assert.ok(again.ws.every((e) => e.flags.length === 0), 'decoded again under the default limit');
});
