/**
 * Regenerates fixtures/mysql/mysql2-session.pcap and its ground truth
 * (mysql2-session.truth.json) from the live server:
 *   node dist/dissectors/mysql/record-fixture.js
 * Needs root, tcpdump and MariaDB/MySQL on 127.0.0.1:3306.
 */
import { writeFileSync } from 'node:fs';
import { startCapture } from '../../lab/record.js';
import { driveMysql } from './test-support.js';

const file = process.argv[2] ?? 'fixtures/mysql/mysql2-session.pcap';
const cap = await startCapture({ file, iface: 'lo', filter: 'tcp port 3306' });
const truth = await driveMysql();
const stats = await cap.stop();
writeFileSync(file.replace(/\.pcap$/, '.truth.json'), JSON.stringify(truth, null, 1) + '\n');
console.log(`recorded ${stats.captured} packets, ${truth.length} commands to ${file}`);
