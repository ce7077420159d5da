/**
 * When a simulated device drops offline. Each second of the run, a device that is online
 * goes quiet with a given probability, for a random while; what alert rules on silence
 * and the devices' lastSeenAt should then notice.
 *
 * The schedule is in elapsed seconds since the run started and uses its own random
 * stream, so it is fixed by the seed whatever the device sends meanwhile.
 */
import { createSeededRandom } from "./seededRandom.ts";

export interface SilenceOptions {
  readonly seed: number | string;
  readonly deviceIndex: number;
  /** Chance per online second that the device goes quiet. */
  readonly probabilityPerSecond: number;
  /** How long a quiet period lasts, drawn uniformly from [min, max] seconds. */
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

export interface SilenceSchedule {
  /** Whether the device is quiet at this elapsed time; ask with non-decreasing times. */
  readonly isSilentAt: (elapsedMs: number) => boolean;
  /** When the current quiet period ends (elapsed ms), or undefined when online. */
  readonly silentUntil: (elapsedMs: number) => number | undefined;
  /** How many quiet periods have begun so far. */
  readonly periodsStarted: () => number;
}

/**
 * @example
 * const silence = createSilenceSchedule({ seed: 42, deviceIndex: 7, probabilityPerSecond: 0.02, minSeconds: 5, maxSeconds: 30 });
 * if (!silence.isSilentAt(elapsedMs)) send(reading);
 */
export const createSilenceSchedule = (options: SilenceOptions): SilenceSchedule => {
  const random = createSeededRandom(options.seed, "device", options.deviceIndex, "silence");
  // Devices start online: the first roll is for second 1.
  let nextSecondToRoll = 1;
  let quietUntilMs = 0;
  let started = 0;

  const advanceTo = (elapsedMs: number): void => {
    const currentSecond = Math.floor(elapsedMs / 1000);
    for (; nextSecondToRoll <= currentSecond; nextSecondToRoll++) {
      const secondStartMs = nextSecondToRoll * 1000;
      if (secondStartMs < quietUntilMs) continue;
      if (random.chance(options.probabilityPerSecond)) {
        quietUntilMs = secondStartMs + 1000 * random.between(options.minSeconds, options.maxSeconds);
        started++;
      }
    }
  };

  return {
    isSilentAt: (elapsedMs) => {
      advanceTo(elapsedMs);
      return elapsedMs < quietUntilMs;
    },
    silentUntil: (elapsedMs) => {
      advanceTo(elapsedMs);
      return elapsedMs < quietUntilMs ? quietUntilMs : undefined;
    },
    periodsStarted: () => started,
  };
};
