import { testCases } from './test-support.js';

testCases(['ip-fragment-flood']);
