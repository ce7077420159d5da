/**
 * The read side of the ingest plugin's `rm_latest` read model, as agreed: one document
 * per device, `_id` = `<tenantId>|<deviceId>`, shaped `{tenantId, deviceId, lastSeenAt,
 * values: {key: {value, ts}}}`, value keys stored with ".", "$" and "%" percent-escaped
 * (MongoDB refuses "." in field names). A missing or malformed document reads as "never seen".
 */
import { Effect, Option, Schema } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import { deviceDocumentId } from "./deviceFields.ts";

export const latestCollection = "rm_latest";

// Written by another plugin: accept the timestamp kinds a driver may give back.
const Timestamp = Schema.Union([Schema.String, Schema.Finite, Schema.Date]);

const LatestDocument = Schema.Struct({
  tenantId: Schema.String,
  deviceId: Schema.String,
  lastSeenAt: Schema.optionalKey(Schema.NullOr(Timestamp)),
  values: Schema.Record(Schema.String, Schema.Struct({ value: Schema.Unknown, ts: Timestamp })),
});

export interface LatestValues {
  readonly lastSeenAt: string | number | null;
  readonly latest: Readonly<Record<string, { readonly value: unknown; readonly ts: string | number }>>;
}

export const neverSeen: LatestValues = { lastSeenAt: null, latest: {} };

const asJsonTime = (time: string | number | Date): string | number =>
  time instanceof Date ? time.toISOString() : time;

const decodeLatest = Schema.decodeUnknownOption(LatestDocument);

/**
 * The value key a stored field name stands for ("cpu%2Eload" is "cpu.load"), as the ingest
 * plugin escapes them; kept here because plugins share read models, not internals.
 */
const valueKeyOf = (storedKey: string): string =>
  storedKey.replace(/%(2E|25|24)/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)));

/** The document's values, if it is well formed and belongs to this tenant. */
const latestValuesOf = (tenantId: string, document: unknown): Option.Option<LatestValues> =>
  decodeLatest(document).pipe(
    Option.filter((latest) => latest.tenantId === tenantId),
    Option.map((latest) => ({
      lastSeenAt: latest.lastSeenAt == null ? null : asJsonTime(latest.lastSeenAt),
      latest: Object.fromEntries(
        Object.entries(latest.values).map(([key, reading]) => [
          valueKeyOf(key),
          { value: reading.value, ts: asJsonTime(reading.ts) },
        ]),
      ),
    })),
  );

/**
 * Last-seen time and latest values of devices of one tenant, by device id (absent = never seen).
 *
 * @example
 * const byDevice = yield* latestValuesFor("acme", ["pump-7", "pump-8"]);
 */
export const latestValuesFor = Effect.fn("devices.latestValuesFor")(function* (
  tenantId: string,
  deviceIds: ReadonlyArray<string>,
) {
  const store = yield* ReadModelStore;
  const found = new Map<string, LatestValues>();
  if (deviceIds.length === 0) return found;
  if (deviceIds.length === 1) {
    const deviceId = deviceIds[0] ?? "";
    const document = yield* store.get(latestCollection, deviceDocumentId(tenantId, deviceId));
    const latest = Option.flatMap(document, (view) => latestValuesOf(tenantId, view));
    if (Option.isSome(latest)) found.set(deviceId, latest.value);
    return found;
  }
  const documents = yield* store
    .find(latestCollection, { tenantId, deviceId: { $in: [...deviceIds] } })
    // The filter is built from validated ids: a refusal would be a bug.
    .pipe(Effect.catchTag("InvalidReadModelQuery", Effect.die));
  for (const document of documents) {
    const latest = latestValuesOf(tenantId, document);
    if (Option.isSome(latest) && typeof document.deviceId === "string") found.set(document.deviceId, latest.value);
  }
  return found;
});
