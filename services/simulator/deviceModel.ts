/**
 * The values one simulated device reports: slow drifts around a per-device baseline
 * (a compressed day cycle plus a mean-reverting random walk plus sensor noise), a
 * battery that drains, a door that opens now and then, a status string that changes
 * rarely, and, with a given probability, a spike far out of range.
 *
 * The model steps in virtual time (one reading = one nominal interval), not wall time,
 * so the same seed gives the same values however fast the run actually goes.
 */
import { createSeededRandom, type SeededRandom } from "./seededRandom.ts";

/** Where a healthy sensor's values stay; spikes land outside these on purpose. */
export const plausibleRanges = {
  temperature: { min: -10, max: 50 },
  humidity: { min: 0, max: 100 },
  pressure: { min: 950, max: 1050 },
  battery: { min: 0, max: 100 },
} as const;

export type NumericMetric = keyof typeof plausibleRanges;
export type ReadingValue = number | boolean | string;

/** One generated reading (before it gets a timestamp). */
export interface DeviceReading {
  readonly values: Readonly<Record<string, ReadingValue>>;
  /** The metric given an out-of-range value, when this reading is a spike. */
  readonly spikedMetric?: NumericMetric;
}

export interface DeviceModelOptions {
  readonly seed: number | string;
  readonly deviceIndex: number;
  /** Probability that a reading carries a spike. */
  readonly spikeProbability: number;
  /** Nominal time between two readings of this device: the model's time step. */
  readonly readingIntervalMs: number;
}

export interface DeviceModel {
  readonly nextReading: () => DeviceReading;
}

const statusesOtherThanOk = ["degraded", "maintenance", "rebooting"] as const;
const spikeableMetrics = ["temperature", "humidity", "pressure"] as const;

const round2 = (value: number): number => Math.round(value * 100) / 100;
const clamp = (value: number, range: { readonly min: number; readonly max: number }): number =>
  Math.min(range.max, Math.max(range.min, value));
// Probability that an event with the given rate (per second) happens within dt seconds.
const happensWithin = (ratePerSecond: number, dtSeconds: number): number => 1 - Math.exp(-ratePerSecond * dtSeconds);

/**
 * Exact discretisation of an Ornstein-Uhlenbeck process around 0: stable for any step,
 * and its spread never exceeds `stationarySd`, so drift stays bounded.
 */
const createMeanRevertingWalk = (random: SeededRandom, stationarySd: number, reversionPerSecond: number) => {
  let deviation = random.normal() * stationarySd;
  return (dtSeconds: number): number => {
    const keep = Math.exp(-reversionPerSecond * dtSeconds);
    deviation = deviation * keep + stationarySd * Math.sqrt(1 - keep * keep) * random.normal();
    return deviation;
  };
};

// A value far outside the plausible range, on either side where that is physical-looking.
const spikeValue = (random: SeededRandom, metric: (typeof spikeableMetrics)[number]): number => {
  const high = random.chance(0.5);
  if (metric === "temperature") return high ? random.between(85, 150) : random.between(-80, -40);
  if (metric === "humidity") return random.between(120, 250);
  return high ? random.between(1200, 2000) : random.between(300, 800);
};

/**
 * A device whose readings are fixed by (seed, deviceIndex).
 *
 * @example
 * const model = createDeviceModel({ seed: 42, deviceIndex: 0, spikeProbability: 0.01, readingIntervalMs: 50 });
 * const { values } = model.nextReading(); // { temperature: 21.37, humidity: 48.2, ..., door_open: false }
 */
export const createDeviceModel = (options: DeviceModelOptions): DeviceModel => {
  const random = createSeededRandom(options.seed, "device", options.deviceIndex, "values");
  // Spikes draw from their own stream: the underlying signal is the same whatever --spike is.
  const spikeRandom = createSeededRandom(options.seed, "device", options.deviceIndex, "spikes");
  const dtSeconds = options.readingIntervalMs / 1000;

  // Per-device character: baselines, a compressed "day" (5-15 min) with its own phase.
  const temperatureBase = random.between(16, 24);
  const temperatureAmplitude = random.between(2, 4);
  const humidityBase = random.between(35, 60);
  const humidityAmplitude = random.between(3, 8);
  const pressureBase = random.between(1005, 1020);
  const pressureAmplitude = random.between(1, 3);
  const dayPeriodSeconds = random.between(300, 900);
  const dayPhase = random.between(0, 2 * Math.PI);
  const temperatureWalk = createMeanRevertingWalk(random, 0.8, 1 / 300);
  const humidityWalk = createMeanRevertingWalk(random, 3, 1 / 300);
  const pressureWalk = createMeanRevertingWalk(random, 1.5, 1 / 900);
  const batteryDrainPerSecond = random.between(2, 10) / 3600;

  let virtualSeconds = 0;
  let battery = random.between(60, 100);
  let doorOpen = false;
  let status: string = "ok";

  const nextReading = (): DeviceReading => {
    virtualSeconds += dtSeconds;
    const day = Math.sin((2 * Math.PI * virtualSeconds) / dayPeriodSeconds + dayPhase);
    const temperature = temperatureBase + temperatureAmplitude * day + temperatureWalk(dtSeconds);
    // Relative humidity falls as the air warms: the opposite phase of temperature.
    const humidity = humidityBase - humidityAmplitude * day + humidityWalk(dtSeconds);
    // Weather fronts are slower than the day: half its frequency.
    const front = Math.cos((Math.PI * virtualSeconds) / dayPeriodSeconds + dayPhase);
    const pressure = pressureBase + pressureAmplitude * front + pressureWalk(dtSeconds);

    battery -= batteryDrainPerSecond * dtSeconds;
    if (battery < 5) battery = 100; // the battery gets swapped

    // Doors open about every 5 min and close after about 20 s.
    if (random.chance(happensWithin(doorOpen ? 1 / 20 : 1 / 300, dtSeconds))) doorOpen = !doorOpen;

    const previousStatus = status;
    if (status === "ok" && random.chance(happensWithin(1 / 900, dtSeconds))) status = random.pick(statusesOtherThanOk);
    else if (status !== "ok" && random.chance(happensWithin(1 / 30, dtSeconds))) status = "ok";
    // Real devices report status on change and now and then, not in every reading.
    const reportStatus = status !== previousStatus || random.chance(0.02);

    const values: Record<string, ReadingValue> = {
      temperature: round2(clamp(temperature + 0.05 * random.normal(), plausibleRanges.temperature)),
      humidity: round2(clamp(humidity + 0.2 * random.normal(), plausibleRanges.humidity)),
      pressure: round2(clamp(pressure + 0.1 * random.normal(), plausibleRanges.pressure)),
      battery: round2(clamp(battery, plausibleRanges.battery)),
      door_open: doorOpen,
    };
    if (reportStatus) values.status = status;

    if (spikeRandom.chance(options.spikeProbability)) {
      const metric = spikeRandom.pick(spikeableMetrics);
      values[metric] = round2(spikeValue(spikeRandom, metric));
      return { values, spikedMetric: metric };
    }
    return { values };
  };

  return { nextReading };
};
