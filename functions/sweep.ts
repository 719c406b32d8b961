import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getRuntime, type Runtime } from '../shared/runtime';
import { silenceLogLines, sweepLogLines } from '../shared/sweep/sweepLog';

/**
 * The sweep on its timer (SWEEP_SCHEDULE, default every 5 minutes): settles every claim, confirms
 * stored files for coverage and the vendor (shared/sweep/), records each device's newest file and
 * names the silent devices (the silence alert counts those lines). Two runs at once are safe, so a slow run
 * overlapping the next, or `telemetry-ops sweep` by hand, needs no lock.
 */
export const createSweepHandler =
  (runtimeOf: () => Runtime = getRuntime) =>
  async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const started = performance.now();
    const result = await runtimeOf().sweep();
    const [run, ...devices] = sweepLogLines(result, performance.now() - started);
    // A run that could not judge some claim (a blob with other bytes) needs an operator.
    if (result.devices.some((d) => d.problems.length > 0)) context.warn(run!);
    else context.log(run!);
    for (const line of devices) context.log(line);
    for (const line of silenceLogLines(result.silent)) context.warn(line);
  };

export const sweepHandler = createSweepHandler();

app.timer('sweep', {
  schedule: getRuntime().config.sweepSchedule,
  handler: sweepHandler,
});
