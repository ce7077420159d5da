/**
 * Test support: seeded random device histories for property-style tests. Readings drift,
 * spike, skip keys, go silent, and now and then arrive late (within and beyond the 60 s
 * tolerance); live ticks are interleaved the way a worker's ticker would, never ahead of
 * the reading that arrives next.
 */
import type { EngineInput } from "../evaluateRule.ts";
import type { ReadingValue } from "../ruleFields.ts";
import type { ReadingInput } from "./ruleScenario.ts";

/**
 * A small deterministic generator (mulberry32): the same seed gives the same sequence.
 *
 * @example
 * const random = seededRandom(42); random(); // 0 <= x < 1
 */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Random = () => number;
const between = (random: Random, low: number, high: number) => low + random() * (high - low);
const chance = (random: Random, probability: number) => random() < probability;

const valuesAt = (random: Random, temperature: number): Record<string, ReadingValue> => {
  const values: Record<string, ReadingValue> = {};
  if (!chance(random, 0.15)) values.temp = chance(random, 0.02) ? "ERR" : Math.round(temperature * 10) / 10;
  if (chance(random, 0.5)) values.humidity = Math.round(between(random, 20, 90));
  if (chance(random, 0.1)) values.door = chance(random, 0.5) ? "open" : "closed";
  return values;
};

/**
 * `count` readings of one device starting at device time `start` (ms), in arrival order.
 *
 * @example
 * const readings = randomReadings(seededRandom(7), 500);
 */
export const randomReadings = (random: Random, count: number, start = 1_700_000_000_000): Array<ReadingInput> => {
  const readings: Array<ReadingInput> = [];
  let now = start;
  let temperature = 25;
  for (let index = 0; index < count; index++) {
    now += chance(random, 0.03) ? Math.round(between(random, 60_000, 900_000)) : Math.round(between(random, 0, 20_000));
    temperature += between(random, -1.5, 1.6) + (chance(random, 0.03) ? between(random, -15, 25) : 0);
    const late = chance(random, 0.05) ? Math.round(between(random, 1_000, 120_000)) : 0;
    const enrichment: Record<string, ReadingValue> = chance(random, 0.4)
      ? { outside_temp: Math.round(between(random, 10, 35)) }
      : {};
    readings.push({
      kind: "reading",
      eventId: `event-${index}`,
      deviceId: "pump-1",
      ts: now - late,
      values: valuesAt(random, temperature),
      enrichment,
    });
  }
  return readings;
};

/**
 * The readings with live ticks interleaved: before each reading, up to three ticks whose
 * time never passes that reading's time (the worker ticks at wall clock minus the tolerance),
 * and a last tick at `until`.
 */
export const withLiveTicks = (
  random: Random,
  readings: ReadonlyArray<ReadingInput>,
  until: number,
): Array<EngineInput> => {
  const inputs: Array<EngineInput> = [];
  let previous = readings[0]?.ts ?? until;
  for (const reading of readings) {
    const ticks = Math.floor(between(random, 0, 4));
    const times = Array.from({ length: ticks }, () => Math.round(between(random, previous - 30_000, reading.ts)));
    for (const now of times.sort((a, b) => a - b)) inputs.push({ kind: "tick", now: Math.min(now, reading.ts) });
    inputs.push(reading);
    previous = Math.max(previous, reading.ts);
  }
  inputs.push({ kind: "tick", now: until });
  return inputs;
};
