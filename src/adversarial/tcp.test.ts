import { testCases } from './test-support.js';

testCases(['tcp-half-open-flood', 'tcp-out-of-order-flood']);
