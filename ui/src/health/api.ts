/**
 * The hub routes the health panel reads and writes (docs/api.md): the
 * workers' records, and the targeting rules applied live on every worker.
 * Types come from the hub's own modules (type-only: nothing of the server is
 * bundled).
 */
import { getJson } from '../api.js';
import type { WorkerRecord } from '../../../src/hub/workers.js';
import type { WorkerCounters, WorkerState } from '../../../src/hub/protocol.js';
import type { TargetRules } from '../../../src/cluster/rules.js';

export type { TargetRules, WorkerCounters, WorkerRecord, WorkerState };

/** `GET /api/workers`: one record per node, sorted by node. */
export async function fetchWorkers(): Promise<WorkerRecord[]> {
  const body = await getJson<{ workers: WorkerRecord[] }>('/api/workers');
  return Array.isArray(body.workers) ? body.workers : [];
}

/** `GET /api/rules` and `PUT /api/rules` answers. `source`: set on the hub, or (none set) what most workers follow. */
export interface RulesAnswer {
  rules: TargetRules;
  source: 'hub' | 'workers';
  /** PUT only: workers the rules were sent to. */
  pushed?: number;
}

export const fetchRules = (): Promise<RulesAnswer> => getJson('/api/rules');

/** Applies the rules on every worker; a rejected rules object is an ApiError (400) with the hub's explanation. */
export const putRules = (rules: Record<string, unknown>): Promise<RulesAnswer> => getJson('/api/rules', {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }),
});
