/** Every fuzz target, in one table (the order of `--list` and of the report). */
import type { FuzzTarget } from '../target.js';
import { CAPTURE_TARGETS } from './capture.js';
import { DATAGRAM_TARGETS } from './datagram.js';
import { filterTarget } from './filter.js';
import { graphqlTarget } from './graphql.js';
import { layersTarget } from './layers.js';
import { STREAM_TARGETS } from './stream.js';

export const TARGETS: readonly FuzzTarget[] = [...STREAM_TARGETS, ...DATAGRAM_TARGETS, graphqlTarget, layersTarget, ...CAPTURE_TARGETS, filterTarget];

export function targetNamed(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
