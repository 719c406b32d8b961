import type { FoundFile } from './types';
import type { DeviceFiles } from './walk';

/**
 * Hands out files for the senders: up to `width` devices at a time, taken in turn, each device's own
 * files strictly in path order. Taking devices in turn matters because the endpoint limits each
 * device's rate (600 files/min by default): sending one device's folder after the other would run
 * the whole backfill at one device's pace. A device the endpoint has asked to wait (429) is passed
 * over while another can go. Calls are served one at a time, in order.
 */
export class Interleaver {
  private readonly active: DeviceFiles[] = [];
  private cursor = 0;
  private exhausted = false;
  private served: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly devices: AsyncIterator<DeviceFiles>,
    private readonly width: number,
    private readonly ready: (deviceId: string) => boolean = () => true,
  ) {}

  /** The next file, or undefined once every device's files have been handed out. */
  next(): Promise<FoundFile | undefined> {
    const result = this.served.then(() => this.pull());
    this.served = result.catch(() => undefined);
    return result;
  }

  private async pull(): Promise<FoundFile | undefined> {
    for (;;) {
      while (!this.exhausted && this.active.length < this.width) {
        const device = await this.devices.next();
        if (device.done) this.exhausted = true;
        else this.active.push(device.value);
      }
      if (this.active.length === 0) return undefined;
      let index = this.cursor % this.active.length;
      for (let i = 0; i < this.active.length; i++) {
        const candidate = (this.cursor + i) % this.active.length;
        if (this.ready(this.active[candidate]!.deviceId)) {
          index = candidate;
          break;
        }
      }
      const next = await this.active[index]!.files.next();
      if (next.done) {
        this.active.splice(index, 1);
        this.cursor = index;
        continue;
      }
      this.cursor = index + 1;
      return next.value;
    }
  }
}
