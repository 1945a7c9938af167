import { testCases } from './test-support.js';

testCases(['redis-huge-arrays', 'length-fields-past-frame']);
