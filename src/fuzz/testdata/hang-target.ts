/** A target that never returns on inputs starting with "H" (fuzz.test.ts checks the watchdog with it). */
import type { FuzzTarget } from '../target.js';

export const target: FuzzTarget = {
  name: 'hang',
  about: 'test only: loops forever on "H…"',
  seeds: () => [Buffer.from('ok'), Buffer.from('HANG')],
  mutate: (input) => input,
  run(input) {
    if (input[0] !== 0x48) return;
    for (;;) { /* until the watchdog terminates the worker */ }
  },
};
