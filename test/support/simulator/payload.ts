/**
 * Realistic oil-condition uploads, valid against shared/schemas/models/oil-condition-v1.schema.json:
 * a gateway on a mining truck samples oil temperature, density and viscosity, buffers the readings and
 * writes one JSON file per batch. Values drift like a real engine (warm-up, load, slow degradation),
 * stay inside the schema's physical ranges, and are fully determined by the device's seeded stream.
 */
import type { Rng } from './random';

export interface OilReading {
  timestamp: string;
  oilTemperatureC?: number;
  densityKgM3?: number;
  viscosityCSt?: number;
  dielectricConstant?: number;
  waterContentPpm?: number;
  sensorStatus?: 'ok' | 'warning' | 'fault';
}

export interface OilFile {
  deviceId: string;
  sentAt: string;
  firmware: string;
  sequence: number;
  readings: OilReading[];
}

export interface PayloadOptions {
  /** Share of files that are a large batch (a backfill after the gateway was offline). */
  largeFileRate: number;
  /** Readings in a normal file and in a large one. */
  normalReadings: [number, number];
  largeReadings: [number, number];
}

export const DEFAULT_PAYLOAD_OPTIONS: PayloadOptions = {
  largeFileRate: 0.02,
  normalReadings: [5, 120],
  largeReadings: [1500, 6000],
};

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * One device's sensor state; each call to `nextFile` advances simulated time (not wall-clock time, so
 * the bytes depend only on the seed).
 */
export class OilConditionSource {
  private sequence = 0;
  private clock: number;
  private temperature: number;
  private density: number;
  private viscosity: number;
  private water: number;
  private readonly firmware: string;

  constructor(
    readonly deviceId: string,
    private readonly rng: Rng,
    private readonly options: PayloadOptions = DEFAULT_PAYLOAD_OPTIONS,
    start = Date.UTC(2026, 10, 25, 6, 0, 0),
  ) {
    this.clock = start + rng.int(0, 3600) * 1000;
    this.temperature = rng.float(20, 45); // cold start
    this.density = rng.float(862, 880);
    this.viscosity = rng.float(90, 140);
    this.water = rng.float(50, 300);
    this.firmware = rng.pick(['2.4.1', '2.4.1', '2.5.0', '2.3.7']);
  }

  nextFile(): { sequence: number; json: string } {
    const large = this.rng.chance(this.options.largeFileRate);
    const [min, max] = large ? this.options.largeReadings : this.options.normalReadings;
    const count = this.rng.int(min, max);
    const stepMs = this.rng.pick([1000, 5000, 10000]);
    const readings: OilReading[] = [];
    for (let i = 0; i < count; i++) {
      this.clock += stepMs;
      readings.push(this.reading());
    }
    const file: OilFile = {
      deviceId: this.deviceId,
      sentAt: new Date(this.clock + this.rng.int(200, 5000)).toISOString(),
      firmware: this.firmware,
      sequence: this.sequence,
      readings,
    };
    return { sequence: this.sequence++, json: JSON.stringify(file) };
  }

  private reading(): OilReading {
    // Warm up towards ~90 °C under load; viscosity falls as the oil heats; density barely moves.
    this.temperature = clamp(
      this.temperature + (92 - this.temperature) * 0.01 + this.rng.gauss(0.4),
      -40,
      160,
    );
    this.density = clamp(this.density - 0.0005 + this.rng.gauss(0.05), 820, 920);
    this.viscosity = clamp(480 * Math.exp(-0.017 * this.temperature) + this.rng.gauss(1.2), 5, 800);
    this.water = clamp(this.water + this.rng.gauss(2), 0, 5000);
    const reading: OilReading = { timestamp: new Date(this.clock).toISOString() };
    // A sensor occasionally drops out of a reading; the schema needs at least one of the three.
    if (!this.rng.chance(0.01)) reading.oilTemperatureC = round(this.temperature, 2);
    if (!this.rng.chance(0.01)) reading.densityKgM3 = round(this.density, 2);
    if (!this.rng.chance(0.01) || reading.oilTemperatureC === undefined)
      reading.viscosityCSt = round(this.viscosity, 2);
    if (this.rng.chance(0.3)) reading.dielectricConstant = round(clamp(2.1 + this.rng.gauss(0.05), 1, 10), 3);
    if (this.rng.chance(0.3)) reading.waterContentPpm = Math.round(this.water);
    if (this.rng.chance(0.05)) reading.sensorStatus = this.rng.chance(0.9) ? 'ok' : 'warning';
    return reading;
  }
}
