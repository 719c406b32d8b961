/**
 * Whether and why a backfill run stops sending: the operator's interrupt (Ctrl-C, SIGTERM), or a
 * fatal answer that makes every further request pointless (a wrong --url, an untrusted certificate,
 * an unwritable journal). Files not sent because of it are counted unsent with `reason`.
 */
export class RunStop {
  private readonly controller = new AbortController();
  interrupted = false;
  /** The first fatal message; later ones add nothing. */
  fatal?: string;

  constructor(private readonly log: (line: string) => void) {}

  /** Aborts in-flight requests and retry waits. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  get reason(): string {
    return this.fatal ? 'run stopped' : 'interrupted';
  }

  /** Stops when `signal` aborts (an interrupt); returns the function that stops listening. */
  follow(signal: AbortSignal): () => void {
    const onInterrupt = () => {
      this.interrupted = true;
      this.controller.abort();
    };
    if (signal.aborted) onInterrupt();
    else signal.addEventListener('abort', onInterrupt, { once: true });
    return () => signal.removeEventListener('abort', onInterrupt);
  }

  /** A fatal answer: said once, and nothing more is sent. */
  halt(message: string): void {
    this.fatal ??= message;
    if (!this.stopped) this.log(`stopping: ${message}`);
    this.controller.abort();
  }

  /** The run is over: anything still waiting gives up (not an interrupt). */
  end(): void {
    this.controller.abort();
  }
}
