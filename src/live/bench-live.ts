/**
 * Live capture CPU per packet (not a unit test). As root:
 *   npx tsc -p . && node dist/live/bench-live.js [--packets 200000] [--size 64]
 * A Node UDP sender in the peer namespace sends as fast as it can over the
 * veth; this process captures on the other end. CPU is process.cpuUsage()
 * from open to close (reader thread + JS; the kernel's copy into the ring runs
 * in the sender's softirq and is not counted), divided by packets captured.
 * Runs: counting sink with zero-copy batches, the same with copied batches,
 * and the full Pipeline as the sink.
 */
import { parseArgs } from 'node:util';
import type { PacketSink } from '../capture/types.js';
import { waitForExit, waitForOutput } from '../lab/proc.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { openLiveCapture, type LiveCaptureOptions } from './capture.js';
import { CAP_IP, UDP_SENDER, VETH_IFACE, VethLab } from './veth-lab.js';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '200000' }, size: { type: 'string', default: '64' } } });
const packets = Number(values.packets);
const size = Number(values.size);

interface Run { name: string; sink: () => PacketSink; opts?: LiveCaptureOptions }

async function measure(lab: VethLab, run: Run): Promise<void> {
  const sink = run.sink();
  const cap = openLiveCapture(VETH_IFACE, sink, { netns: lab.capNsPath, filter: 'udp', ...run.opts });
  const cpu0 = process.cpuUsage();
  const sender = lab.node(lab.peerNs, UDP_SENDER, [CAP_IP, 5000, packets, size, 256, 0]);
  await waitForOutput(sender, /ready/, 10_000);
  const t0 = process.hrtime.bigint();
  const sent = waitForOutput(sender, /sent \d+/, 120_000);
  await waitForExit(sender);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await sent;
  await cap.close();
  const cpu = process.cpuUsage(cpu0);
  const s = cap.stats();
  const us = (cpu.user + cpu.system) / Math.max(1, s.packets);
  console.log(`${run.name.padEnd(24)} ${String(s.packets).padStart(8)} pkts  ${(s.packets / seconds / 1000).toFixed(0).padStart(5)} kpps  `
    + `${us.toFixed(2)} µs CPU/pkt (user ${(cpu.user / s.packets).toFixed(2)}, sys ${(cpu.system / s.packets).toFixed(2)})  `
    + `dropped ${s.droppedByKernel}  batches ${s.batchesDelivered} (waited ${s.batchesWaited})`);
}

const skip = VethLab.skipReason();
if (skip !== undefined) {
  console.error(`bench-live: ${skip}`);
  process.exit(1);
}
const lab = await VethLab.create();
try {
  let n = 0;
  const counting = (): PacketSink => ({ packet() { n++; } });
  console.log(`live capture, ${packets} UDP datagrams of ${size} bytes over a veth`);
  for (const run of [
    { name: 'count, zero-copy', sink: counting },
    { name: 'count, copied batches', sink: counting, opts: { copyBatches: true } },
    { name: 'count, zero-copy (again)', sink: counting },
    { name: 'pipeline, zero-copy', sink: () => new Pipeline(() => {}) },
  ] satisfies Run[]) {
    await measure(lab, run);
  }
} finally {
  await lab.teardown();
}
