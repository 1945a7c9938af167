/**
 * Shrink a crashing input before it is saved, so the regression fixture is
 * small enough to read: cut the tail, then remove ever smaller chunks
 * (halves, quarters, … single bytes) while the same crash signature still
 * comes out. Every input format decodes from any bytes, so any cut is a
 * valid input. Bounded by `attempts` executions.
 */
export async function minimize(input: Uint8Array, stillFails: (b: Uint8Array) => Promise<boolean>, attempts: number): Promise<Uint8Array> {
  let best = input;
  let left = attempts;
  const tryCut = async (candidate: Uint8Array): Promise<boolean> => {
    left--;
    if (!(await stillFails(candidate))) return false;
    best = candidate;
    return true;
  };
  for (let n = best.length >> 1; n > 0 && left > 0; n >>= 1) {
    while (left > 0 && best.length > n && (await tryCut(best.subarray(0, best.length - n)))) { /* keep cutting the tail */ }
  }
  for (let chunk = best.length >> 1; chunk > 0 && left > 0; chunk >>= 1) {
    for (let o = 0; o < best.length && left > 0;) {
      const candidate = Buffer.concat([best.subarray(0, o), best.subarray(o + chunk)]);
      if (!(await tryCut(candidate))) o += chunk;
    }
  }
  return best;
}
