/**
 * Device events and two projections over them, for the projection tests: `devices`
 * (one document per device stream, deleted on removal) and `sites` (one document fed by
 * many device streams). TelemetryRecorded is at schema version 2, with an upcaster from
 * version 1 (fahrenheit), so tests see that `apply` gets upcast events.
 */
import { Effect, Schema, Stream } from "effect";
import { defineEvent } from "../../core/events/defineEvent.ts";
import type { EventEnvelope, PendingEvent, StreamId, TenantId } from "../../core/events/EventEnvelope.ts";
import { newEventId } from "../../core/events/EventId.ts";
import { defineProjection } from "../../core/projections/defineProjection.ts";
import type { StoredDocument } from "../../core/projections/ReadModelStore.ts";
import { EventStore } from "../../core/store/EventStore.ts";

export const tenantId = "tenant-projection-tests" as TenantId;

export const DeviceRegistered = defineEvent({
  type: "DeviceRegistered",
  family: "devices",
  payload: Schema.Struct({ deviceId: Schema.String, name: Schema.String, site: Schema.String }),
});
export const DeviceRenamed = defineEvent({
  type: "DeviceRenamed",
  family: "devices",
  payload: Schema.Struct({ deviceId: Schema.String, name: Schema.String }),
});
export const DeviceRemoved = defineEvent({
  type: "DeviceRemoved",
  family: "devices",
  payload: Schema.Struct({ deviceId: Schema.String }),
});
/** Not folded by any projection: it makes gaps in the device streams. */
export const DeviceNoted = defineEvent({
  type: "DeviceNoted",
  family: "devices",
  payload: Schema.Struct({ deviceId: Schema.String, note: Schema.String }),
});
export const TelemetryRecorded = defineEvent({
  type: "TelemetryRecorded",
  family: "telemetry",
  schemaVersion: 2,
  payload: Schema.Struct({ deviceId: Schema.String, celsius: Schema.Finite }),
  upcasters: {
    1: (payload) => {
      const { deviceId, fahrenheit } = payload as { deviceId: string; fahrenheit: number };
      return { deviceId, celsius: Math.round(((fahrenheit - 32) * 5) / 9) };
    },
  },
});
export const allEventDefinitions = [DeviceRegistered, DeviceRenamed, DeviceRemoved, DeviceNoted, TelemetryRecorded];

export interface DeviceDoc extends Record<string, unknown> {
  readonly name: string;
  readonly site: string;
  readonly readings: number;
  readonly lastCelsius: number | null;
  readonly renames: number;
}

/** The devices projection; `version` and `name` vary so tests stay apart. */
export const devicesProjection = (name: string, version = 1) =>
  defineProjection({
    name,
    version,
    events: [DeviceRegistered, DeviceRenamed, DeviceRemoved, TelemetryRecorded],
    key: (event) => event.payload.deviceId,
    apply: (doc: DeviceDoc | undefined, event): DeviceDoc | undefined => {
      switch (event.type) {
        case "DeviceRegistered":
          return { name: event.payload.name, site: event.payload.site, readings: 0, lastCelsius: null, renames: 0 };
        case "DeviceRenamed":
          return doc && { ...doc, name: event.payload.name, renames: doc.renames + 1 };
        case "DeviceRemoved":
          return undefined;
        case "TelemetryRecorded":
          return doc && { ...doc, readings: doc.readings + 1, lastCelsius: event.payload.celsius };
      }
    },
    indexes: [{ keys: { site: 1, name: 1 } }],
  });

export interface SiteDoc extends Record<string, unknown> {
  readonly devices: number;
  readonly names: ReadonlyArray<string>;
}

/** Counts registrations per site: one document fed by many streams. */
export const sitesProjection = (name: string, version = 1) =>
  defineProjection({
    name,
    version,
    events: [DeviceRegistered],
    key: (event) => event.payload.site,
    apply: (doc: SiteDoc | undefined, event) => ({
      devices: (doc?.devices ?? 0) + 1,
      names: [...(doc?.names ?? []), event.payload.name].sort(),
    }),
  });

const meta = { tenantId };

/** Pending events of one device's life: register, readings (one stored at schema v1), a note, a rename. */
export const deviceHistory = (deviceId: string, site: string, readings = 3): Array<PendingEvent> => [
  DeviceRegistered.make({ deviceId, name: `pump ${deviceId}`, site }, meta),
  ...Array.from({ length: readings }, (_, index) =>
    index === 0
      ? {
          ...TelemetryRecorded.make({ deviceId, celsius: 0 }, meta),
          schemaVersion: 1,
          payload: { deviceId, fahrenheit: 212 },
        }
      : TelemetryRecorded.make({ deviceId, celsius: 20 + index }, meta),
  ),
  DeviceNoted.make({ deviceId, note: "checked" }, meta),
  DeviceRenamed.make({ deviceId, name: `renamed ${deviceId}` }, meta),
];

/** A pending event whose payload does not decode (a producer bug). */
export const malformedTelemetry = (deviceId: string): PendingEvent => ({
  ...TelemetryRecorded.make({ deviceId, celsius: 1 }, meta),
  id: newEventId(),
  payload: { deviceId, celsius: "hot" },
});

/**
 * Appends each device's history to its own stream and returns the stored envelopes.
 *
 * @example
 * const stored = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
 */
export const appendHistories = Effect.fn("test.appendHistories")(function* (
  histories: Readonly<Record<string, ReadonlyArray<PendingEvent>>>,
) {
  const store = yield* EventStore;
  const stored: Array<EventEnvelope> = [];
  for (const [streamId, events] of Object.entries(histories)) {
    stored.push(...(yield* store.appendToStream(streamId as StreamId, "any", events)));
  }
  return stored;
});

/** Every stored event of a stream. */
export const readWholeStream = (streamId: string) =>
  EventStore.use((store) => Stream.runCollect(store.readStream(streamId as StreamId)));

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
export const shuffled = <A>(items: ReadonlyArray<A>, seed: number): Array<A> => {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as A, copy[i] as A];
  }
  return copy;
};

/**
 * A stored document without its `_rev`, which counts writes and so differs between folds
 * batched differently that reach the same state.
 */
export const withoutRevision = (stored: StoredDocument | undefined): StoredDocument | undefined => {
  if (stored === undefined) return undefined;
  const { _rev, ...rest } = stored;
  return rest;
};
