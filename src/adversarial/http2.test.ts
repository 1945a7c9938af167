import { testCases } from './test-support.js';

testCases(['hpack-table-max', 'http2-continuation-flood']);
