import { FileState } from '../ledger/types';
import { clockVerdict } from './clockVerdict';
import { countedFiles, mattersTo, orphanedIn, receivedIn, receivedPerHour } from './countedFiles';
import { type ClockRules, isImplausible } from './fileClock';
import { gapsIn } from './gapsIn';
import { readingsPerHour } from './readingsPerHour';
import { referenceComparison, referencePerHour } from './referenceComparison';
import type { CoverageInput, DeviceCoverage, Range } from './types';
import { wholeHours } from './wholeHours';

export interface CoverageRules extends ClockRules {
  /** The reference's readings per hour from the epoch for this device (with --reference only). */
  reference?: ReadonlyMap<number, number>;
}

/**
 * One device over a range: its readings per whole UTC hour, its gaps, its clock verdict, and with a
 * reference the hours each source has. An hour whose only files came with a reset clock (their
 * readings stamped decades away) is a reset, not a gap: the files arrived.
 */
export function coverageOf(input: CoverageInput, range: Range, rules: CoverageRules): DeviceCoverage {
  const span = wholeHours(range);
  const { perHour, readings } = readingsPerHour(input.days, span);
  const stored = input.files.filter((f) => f.state === FileState.Stored);
  const judged = stored.filter((f) => mattersTo(f, range));
  const resetFiles = judged.filter((f) => isImplausible(f, rules.floorMs));
  const resetFilesPerHour = receivedPerHour(resetFiles, span);
  const counted = new Set([...countedFiles(stored, span), ...resetFiles.filter((f) => receivedIn(f, span))]);
  const empty = (i: number) => perHour[i] === 0;
  const reference = rules.reference && referencePerHour(rules.reference, span);
  return {
    deviceId: input.deviceId,
    files: counted.size,
    orphaned: orphanedIn(input.files, range),
    pending: input.pending,
    readings,
    hoursCovered: perHour.filter((n) => n > 0).length,
    hoursInRange: perHour.length,
    gaps: gapsIn(
      perHour.map((n, i) => n + resetFilesPerHour[i]!),
      span.first,
    ),
    resets: gapsIn(
      perHour.map((_, i) => (empty(i) && resetFilesPerHour[i]! > 0 ? 0 : 1)),
      span.first,
    ),
    clock: clockVerdict(judged, without(stored, judged), rules),
    ...(reference ? { reference: referenceComparison(perHour, reference, span.first) } : {}),
    perHour,
    resetFilesPerHour,
    ...(reference ? { referencePerHour: reference } : {}),
  };
}

function without<T>(all: readonly T[], some: readonly T[]): T[] {
  const excluded = new Set(some);
  return all.filter((item) => !excluded.has(item));
}
