import type { ChildProcess } from 'node:child_process';

/**
 * Collects a child's stdout and stderr and resolves once `marker` has appeared in it: an event, not a
 * poll. Rejects, with what the child printed, if it exits first or `timeoutMs` passes.
 */
export function untilOutput(child: ChildProcess, marker: string, timeoutMs: number): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(output);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) done();
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited (${code}) before "${marker}":\n${output}`));
    const timer = setTimeout(
      () => done(new Error(`no "${marker}" within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
