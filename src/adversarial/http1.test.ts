import { testCases } from './test-support.js';

testCases(['http1-endless-headers', 'http1-million-headers', 'http1-10gb-content-length', 'http1-endless-chunk-size', 'http1-chunk-size-2^64']);
