import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rssWithoutRings, socketMappingRss } from './ring-rss.js';

test('capture rings are the socket mappings of smaps; the guard counts the process without them', () => {
  const smaps = [
    '55d0c0000000-55d0c0100000 r-xp 00000000 08:01 1234                       /usr/bin/node',
    'Rss:                1024 kB',
    '7fd2b2ce2000-7fd2b4ce2000 rw-s 00000000 00:09 472721                     socket:[472721]',
    'Size:              32768 kB',
    'Rss:               32768 kB',
    '7fd2b4ce2000-7fd2b5ce2000 rw-s 00000000 00:09 472722                     socket:[472722]',
    'Rss:                2048 kB',
    '7fd2b5ce2000-7fd2b5de2000 rw-p 00000000 00:00 0 ',
    'Rss:                 512 kB',
  ].join('\n');
  assert.equal(socketMappingRss(smaps), (32768 + 2048) * 1024);
  assert.equal(socketMappingRss(''), 0);
  const r = rssWithoutRings();
  assert.ok(r > 0 && r <= process.memoryUsage.rss());
});
