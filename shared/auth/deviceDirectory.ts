/**
 * Which device ids exist, from one listing of the devices table shared by every client: the answer
 * for an id this instance has never seen when its sender's address has spent its budget of reads
 * (see DeviceAuthenticator). An id that is not listed causes a new listing only once the last one
 * is `minRelistMs` old, so any number of invented ids costs at most one listing per interval, and
 * a device registered since the last listing is found at the next.
 */
export class DeviceDirectory {
  private ids: ReadonlySet<string> = new Set();
  private listedAt = -Infinity;
  private listing?: Promise<ReadonlySet<string>>;

  constructor(
    private readonly list: () => Promise<Iterable<string>>,
    private readonly minRelistMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async has(deviceId: string): Promise<boolean> {
    if (this.ids.has(deviceId)) return true;
    if (this.now() - this.listedAt < this.minRelistMs) return false;
    return (await this.relist()).has(deviceId);
  }

  /** Concurrent callers share one listing; a failed one is not remembered (the caller answers 503). */
  private relist(): Promise<ReadonlySet<string>> {
    this.listing ??= (async () => {
      const startedAt = this.now();
      try {
        this.ids = new Set(await this.list());
        this.listedAt = startedAt;
        return this.ids;
      } finally {
        this.listing = undefined;
      }
    })();
    return this.listing;
  }
}
