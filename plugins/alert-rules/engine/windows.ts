/**
 * Bounded windows of numeric samples, kept in device-time order. A window answers "the
 * samples of the last T seconds" or "the last N samples" as of an evaluation instant,
 * and pruning keeps only what the rule's widest window can still ask for.
 */
import { maxWindowReadings, secondsToMs, type WindowSpec } from "./ruleFields.ts";

/** One numeric reading of one key: `[device time in ms, value]` (a tuple keeps snapshots small). */
export type Sample = readonly [ts: number, value: number];

/** How much history a tracked value keeps: the widest time window and the longest count window asking for it. */
export interface WindowRetention {
  readonly seconds: number;
  readonly readings: number;
}

/** Keeps no samples: the value is only compared as it is now. */
export const noRetention: WindowRetention = { seconds: 0, readings: 0 };

/**
 * The retention that serves both `retention` and `window`.
 *
 * @example
 * widenRetention({ seconds: 60, readings: 0 }, { readings: 10 }) // { seconds: 60, readings: 10 }
 */
export const widenRetention = (retention: WindowRetention, window: WindowSpec): WindowRetention =>
  "seconds" in window
    ? { ...retention, seconds: Math.max(retention.seconds, window.seconds) }
    : { ...retention, readings: Math.max(retention.readings, window.readings) };

/** The index of the first sample whose time is after `ts` (samples.length when none is). */
const firstIndexAfter = (samples: ReadonlyArray<Sample>, ts: number): number => {
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((samples[middle] as Sample)[0] <= ts) low = middle + 1;
    else high = middle;
  }
  return low;
};

/**
 * A new array with `sample` in device-time order; a sample with the same time as others
 * goes after them, so the order of arrival breaks ties.
 *
 * @example
 * insertSample([[1000, 1], [3000, 3]], [2000, 2]) // [[1000, 1], [2000, 2], [3000, 3]]
 */
export const insertSample = (samples: ReadonlyArray<Sample>, sample: Sample): Array<Sample> => {
  const last = samples[samples.length - 1];
  if (last === undefined || last[0] <= sample[0]) return [...samples, sample];
  const index = firstIndexAfter(samples, sample[0]);
  return [...samples.slice(0, index), sample, ...samples.slice(index)];
};

/**
 * Drops the samples no window can ask for any more as of `now` (device ms): a sample stays
 * while it is inside the time retention (`ts > now - seconds`) or among the newest
 * `readings`, and never more than 10,000 stay. Returns the same array when nothing goes.
 *
 * @example
 * pruneSamples([[0, 1], [50_000, 2], [90_000, 3]], { seconds: 60, readings: 0 }, 100_000)
 * // [[50_000, 2], [90_000, 3]]
 */
export const pruneSamples = (
  samples: ReadonlyArray<Sample>,
  retention: WindowRetention,
  now: number,
): ReadonlyArray<Sample> => {
  const keptByTime = samples.length - firstIndexAfter(samples, now - secondsToMs(retention.seconds));
  const keep = Math.min(Math.max(keptByTime, retention.readings), maxWindowReadings);
  return keep >= samples.length ? samples : samples.slice(samples.length - keep);
};

/**
 * The samples a window holds at `now`, oldest first: those of the last `seconds`
 * (`now - seconds < ts <= now`) or the last `readings` samples up to `now`.
 *
 * @example
 * samplesInWindow([[0, 1], [50_000, 2], [90_000, 3]], { seconds: 60 }, 100_000) // [[50_000, 2], [90_000, 3]]
 * samplesInWindow([[0, 1], [50_000, 2], [90_000, 3]], { readings: 1 }, 100_000) // [[90_000, 3]]
 */
export const samplesInWindow = (
  samples: ReadonlyArray<Sample>,
  window: WindowSpec,
  now: number,
): ReadonlyArray<Sample> => {
  const end = firstIndexAfter(samples, now);
  const start =
    "seconds" in window
      ? firstIndexAfter(samples, now - secondsToMs(window.seconds))
      : Math.max(0, end - window.readings);
  return samples.slice(Math.min(start, end), end);
};

/**
 * When the oldest sample of a time window leaves it (the window's next change without new
 * data), or undefined for count windows and empty windows.
 *
 * @example
 * nextWindowExit([[50_000, 2], [90_000, 3]], { seconds: 60 }) // 110_000
 */
export const nextWindowExit = (inWindow: ReadonlyArray<Sample>, window: WindowSpec): number | undefined => {
  const oldest = inWindow[0];
  return oldest === undefined || !("seconds" in window) ? undefined : oldest[0] + secondsToMs(window.seconds);
};
