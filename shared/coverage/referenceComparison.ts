import { gapsIn } from './gapsIn';
import type { ReferenceComparison } from './types';

/** What one hour holds in each source. */
export const HourState = {
  Both: 'both',
  /** The historian has nothing; a JSON file filled the hour. */
  Filled: 'filled',
  ReferenceOnly: 'referenceOnly',
  StillMissing: 'stillMissing',
} as const;
export type HourState = (typeof HourState)[keyof typeof HourState];

export function hourState(ours: number, reference: number): HourState {
  if (ours > 0) return reference > 0 ? HourState.Both : HourState.Filled;
  return reference > 0 ? HourState.ReferenceOnly : HourState.StillMissing;
}

/** Ours against the reference, hour by hour of the same span (both arrays in hour order). */
export function referenceComparison(
  ours: readonly number[],
  reference: readonly number[],
  firstHour: number,
): ReferenceComparison {
  const states = ours.map((count, i) => hourState(count, reference[i] ?? 0));
  const count = (state: HourState) => states.filter((s) => s === state).length;
  return {
    hoursBoth: count(HourState.Both),
    hoursFilled: count(HourState.Filled),
    hoursReferenceOnly: count(HourState.ReferenceOnly),
    hoursStillMissing: count(HourState.StillMissing),
    stillMissing: gapsIn(
      states.map((s) => (s === HourState.StillMissing ? 0 : 1)),
      firstHour,
    ),
  };
}

/** A device's reference hours (hour from the epoch -> readings) as counts per hour of the span. */
export function referencePerHour(
  hours: ReadonlyMap<number, number> | undefined,
  { first, end }: { first: number; end: number },
): number[] {
  return Array.from({ length: end - first }, (_, i) => hours?.get(first + i) ?? 0);
}
