/** Folding one reading into the tracked values of a state: newest values, bounded windows. */

import type { TrackedValue } from "./ruleDeviceState.ts";
import type { ReadingValue, ValueRef } from "./ruleFields.ts";
import { type RulePlan, referenceId, type TrackedReference } from "./rulePlan.ts";
import { insertSample, pruneSamples } from "./windows.ts";

/** One reading of one device, as the engine takes it. */
export interface Reading {
  readonly eventId: string;
  readonly deviceId: string;
  /** Device time, epoch ms. */
  readonly ts: number;
  readonly values: Readonly<Record<string, ReadingValue>>;
  /** TelemetryEnriched values for this reading (empty when not enriched). */
  readonly enrichment: Readonly<Record<string, ReadingValue>>;
}

const valueIn = (reading: Reading, ref: ValueRef): ReadingValue | undefined => {
  const record = ref.source === "reading" ? reading.values : reading.enrichment;
  return Object.hasOwn(record, ref.key) ? record[ref.key] : undefined;
};

const keepsWindow = (reference: TrackedReference) =>
  reference.retention.seconds > 0 || reference.retention.readings > 0;

const updated = (
  reference: TrackedReference,
  existing: TrackedValue | undefined,
  reading: Reading,
  value: ReadingValue,
): TrackedValue => {
  const newer = existing?.latest === undefined || reading.ts >= existing.latest[0];
  const latest = newer ? ([reading.ts, value] as const) : existing?.latest;
  const window = existing?.window ?? [];
  const sampled =
    keepsWindow(reference) && typeof value === "number" && Number.isFinite(value)
      ? insertSample(window, [reading.ts, value])
      : window;
  return {
    source: reference.ref.source,
    key: reference.ref.key,
    ...(latest === undefined ? {} : { latest }),
    window: sampled,
  };
};

/**
 * The tracked values after `reading`, pruned as of `now` (device ms), in plan order;
 * values the rule no longer reads are dropped. `touched` tells whether the reading carried
 * any value the rule reads (only such readings are evaluated).
 *
 * @example
 * recordReading(plan, state.tracked, reading, state.clock).touched // true when reading.values has "temp"
 */
export const recordReading = (
  plan: RulePlan,
  tracked: ReadonlyArray<TrackedValue>,
  reading: Reading,
  now: number,
): { readonly tracked: ReadonlyArray<TrackedValue>; readonly touched: boolean } => {
  const byId = new Map(tracked.map((value) => [referenceId(value), value]));
  let touched = false;
  const next: Array<TrackedValue> = [];
  for (const reference of plan.tracked) {
    const existing = byId.get(reference.id);
    const value = valueIn(reading, reference.ref);
    if (value !== undefined) touched = true;
    const current = value === undefined ? existing : updated(reference, existing, reading, value);
    if (current === undefined) continue;
    const window = pruneSamples(current.window, reference.retention, now);
    next.push(window === current.window ? current : { ...current, window });
  }
  return { tracked: next, touched };
};
