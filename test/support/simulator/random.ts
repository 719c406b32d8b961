/**
 * A tiny seeded PRNG (mulberry32) so a simulation run is reproducible from its seed: the same seed
 * gives the same files, the same fault draws and the same backoff jitter (wall-clock timing still
 * varies from run to run, so the interleaving does too).
 */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Roughly normal (Irwin-Hall of 4), mean 0, standard deviation `sd`. */
  gauss(sd: number): number {
    return ((this.next() + this.next() + this.next() + this.next() - 2) / Math.sqrt(4 / 12)) * sd;
  }

  /** An independent stream derived from this seed and a label, so adding a consumer does not shift others. */
  fork(label: string | number): Rng {
    let h = (this.seed ^ 0x9e3779b9) >>> 0;
    for (const c of String(label)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return new Rng(h);
  }
}

/** Shuffles a copy of the list with the given generator. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
