/**
 * Attach the kernel filter for one targeted pod's interface, off the event
 * loop: the precise ownership filter when libpcap fits it in the kernel, else
 * the pod's own addresses (ownership then checked in user space only) —
 * loudly, never silently, and never no filter.
 */
import { buildInterfaceFilter, KERNEL_MAX_INSTRUCTIONS, MAX_PRECISE_TERMS, type InterfaceFilterInput } from './bpf.js';

export interface FilterTarget {
  setFilterAsync(expression: string): Promise<{ expression: string; instructions: number; attachedInKernel: boolean }>;
}

export interface AppliedFilter {
  expression: string;
  instructions: number;
  attachedInKernel: boolean;
  /** Why the precise filter was not used, or null when it was. */
  fallback: null | 'too-many-terms' | 'too-many-instructions' | 'kernel-refused';
}

export async function applyKernelFilter(target: FilterTarget, input: InterfaceFilterInput): Promise<AppliedFilter> {
  const precise = buildInterfaceFilter(input);
  let fallback: AppliedFilter['fallback'] = 'too-many-terms';
  if (precise.terms <= MAX_PRECISE_TERMS) {
    const info = await target.setFilterAsync(precise.expression);
    if (info.attachedInKernel && info.instructions <= KERNEL_MAX_INSTRUCTIONS) return { ...info, fallback: null };
    fallback = info.instructions > KERNEL_MAX_INSTRUCTIONS ? 'too-many-instructions' : 'kernel-refused';
  }
  const coarse = buildInterfaceFilter({ localIps: input.localIps, targetedIps: [] });
  const info = await target.setFilterAsync(coarse.expression);
  return { ...info, fallback };
}
