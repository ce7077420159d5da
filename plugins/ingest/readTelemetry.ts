/**
 * The read side: a device's latest values and its readings over a time range, for a tenant
 * key (any device of the tenant) or a device key (its own device). Every document id is
 * built from the credential's tenant, so another tenant's device is simply not found (404).
 */
import { Clock, Effect, Option } from "effect";
import { authenticate, NotFound, ReadModelStore, ValidationFailed } from "../../core/index.ts";
import { deviceIsRegistered, readerTenantFor } from "./deviceAccess.ts";
import { deviceIdPattern, type IngestLimits } from "./ingestLimits.ts";
import { type LatestDocument, type LatestValue, latestProjection } from "./latestProjection.ts";
import { type ReadingItem, readingsPage } from "./readingsPage.ts";
import { parseReadingsQuery } from "./readingsQuery.ts";
import { fromStoredRecord } from "./storedKeys.ts";
import { deviceDocumentId } from "./streamAndDocumentIds.ts";

/** GET /v1/devices/{deviceId}/latest */
export interface LatestView {
  readonly deviceId: string;
  readonly values: Readonly<Record<string, LatestValue>>;
  readonly lastSeenAt: string | null;
}

/** GET /v1/devices/{deviceId}/readings */
export interface ReadingsView {
  readonly deviceId: string;
  readonly key?: string;
  readonly readings: ReadonlyArray<ReadingItem>;
  readonly nextCursor: string | null;
  readonly droppedSamples?: number;
}

type QueryParameters = Readonly<Record<string, ReadonlyArray<string>>>;

const checkDeviceId = (deviceId: string) =>
  deviceIdPattern.test(deviceId)
    ? Effect.void
    : Effect.fail(
        new ValidationFailed({
          detail: "the device id is invalid",
          errors: [{ field: "deviceId", reason: "device ids are 1 to 100 characters of A-Z a-z 0-9 . _ : -" }],
        }),
      );

/** The tenant the caller reads, after checking the credential, the device id and its reach. */
const readerTenant = (authorization: string | undefined, deviceId: string) =>
  Effect.gen(function* () {
    const principal = yield* authenticate(authorization);
    yield* checkDeviceId(deviceId);
    return yield* readerTenantFor(principal, deviceId);
  });

const latestDocumentOf = (tenantId: string, deviceId: string) =>
  ReadModelStore.use((store) => store.get(latestProjection.collection, deviceDocumentId(tenantId, deviceId))).pipe(
    Effect.map(Option.map((view) => view as unknown as LatestDocument)),
  );

/** A device without telemetry yet is fine if the devices plugin knows it; otherwise 404. */
const requireKnownDevice = (tenantId: string, deviceId: string) =>
  Effect.flatMap(deviceIsRegistered(tenantId, deviceId), (known) =>
    known ? Effect.void : Effect.fail(new NotFound({ detail: `no device ${deviceId}` })),
  );

/**
 * @example
 * const view = await context.run(latestView(c.req.header("authorization"), c.req.param("deviceId"), c.req.queries()));
 */
export const latestView = Effect.fn("ingest.latestView")(function* (
  authorization: string | undefined,
  deviceId: string,
  parameters: QueryParameters,
) {
  const tenantId = yield* readerTenant(authorization, deviceId);
  const unknown = Object.keys(parameters);
  if (unknown.length > 0) {
    return yield* new ValidationFailed({
      detail: "this resource takes no query parameters",
      errors: unknown.map((field) => ({ field, reason: "unknown query parameter" })),
    });
  }
  const latest = yield* latestDocumentOf(tenantId, deviceId);
  if (Option.isSome(latest)) {
    const { values, lastSeenAt } = latest.value;
    return { deviceId, values: fromStoredRecord(values), lastSeenAt } satisfies LatestView as LatestView;
  }
  yield* requireKnownDevice(tenantId, deviceId);
  return { deviceId, values: {}, lastSeenAt: null } satisfies LatestView as LatestView;
});

/**
 * @example
 * const view = await context.run(readingsView(c.req.header("authorization"), deviceId, c.req.queries(), limits));
 */
export const readingsView = Effect.fn("ingest.readingsView")(function* (
  authorization: string | undefined,
  deviceId: string,
  parameters: QueryParameters,
  limits: IngestLimits,
) {
  const tenantId = yield* readerTenant(authorization, deviceId);
  const query = yield* Effect.fromResult(parseReadingsQuery(parameters, yield* Clock.currentTimeMillis, limits));
  const latest = yield* latestDocumentOf(tenantId, deviceId);
  const keyPart = query.key === undefined ? {} : { key: query.key };
  if (Option.isNone(latest)) {
    yield* requireKnownDevice(tenantId, deviceId);
    return { deviceId, ...keyPart, readings: [], nextCursor: null } satisfies ReadingsView as ReadingsView;
  }
  const span = { firstMs: Date.parse(latest.value.firstReadingAt), lastMs: Date.parse(latest.value.lastReadingAt) };
  const page = yield* readingsPage(tenantId, deviceId, query, span, limits);
  return {
    deviceId,
    ...keyPart,
    readings: page.readings,
    nextCursor: page.nextCursor,
    ...(page.droppedSamples > 0 ? { droppedSamples: page.droppedSamples } : {}),
  } satisfies ReadingsView as ReadingsView;
});
