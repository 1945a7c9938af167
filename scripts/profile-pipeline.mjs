import { processCaptureFile } from '/work/main/dist/pipeline/read-file.js';
const t = performance.now(); let n = 0;
const r = await processCaptureFile(process.argv[2], {}, () => n++);
const s = (performance.now() - t) / 1000;
console.log(r.stats.packets, 'packets', n, 'entries', s.toFixed(2), 's', Math.round(r.stats.packets / s), 'pps');
