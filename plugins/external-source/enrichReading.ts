/**
 * The consumer: for each TelemetryRecorded, the tenant's sources whose trigger matches
 * are asked (concurrently, each through its guards), their answers mapped, and one
 * TelemetryEnriched appended to the device's enriched stream with an id derived from
 * the reading's (a run of a device's readings is appended with one append). A source that fails never fails the handler: the reading flows on,
 * flagged. Only the platform's own stores failing make the handler fail (and retry).
 *
 * Source lists are reused for `sourcesTtlMs` (1 s) and device attributes for
 * `devicesTtlMs` (5 s): changes apply to readings within those times.
 */
import { Clock, Effect, Option } from "effect";
import {
  batchedGet,
  type EventOf,
  EventWriter,
  type PendingEvent,
  ReadModelStore,
  type StreamId,
} from "../../core/index.ts";
import { deviceDocumentId, type TelemetryRecorded } from "../ingest/index.ts";
import { makeCoalescingCache } from "./coalescingCache.ts";
import { SourceFetchFailed } from "./Errors.ts";
import { buildEnrichedPayload, type SourceResult, triggerMatches } from "./enrichmentPayload.ts";
import { applyMapping } from "./responseMapping.ts";
import type { SourceKind, SourceReading } from "./SourceKind.ts";
import { readSecret } from "./secretStore.ts";
import { makeSourceGuards, type SourceGuards } from "./sourceGuards.ts";
import { type SourceDocument, sourcesCollection } from "./sourcesProjection.ts";
import { enrichedStreamId, TelemetryEnriched } from "./TelemetryEnriched.ts";

/** The devices plugin's read model (DeviceDocument); only attributes and tags are read. */
const devicesCollection = "rm_devices";

/** Gives TelemetryEnriched its id: derived from the reading's id and this key. */
export const enrichedIdempotencyKey = "external-source/enriched";

export interface EnricherOptions {
  /** The contributed kinds, read per reading (contributions are complete only once every plugin registered). */
  readonly kinds: () => ReadonlyArray<SourceKind>;
  readonly guards?: SourceGuards | undefined;
  readonly sourcesTtlMs?: number | undefined;
  readonly devicesTtlMs?: number | undefined;
}

interface DeviceFacts {
  readonly attributes: SourceReading["attributes"];
  readonly tags: ReadonlyArray<string>;
}

const kindsById = (kinds: ReadonlyArray<SourceKind>) => {
  const byId = new Map<string, SourceKind>();
  for (const kind of kinds) if (!byId.has(kind.kind)) byId.set(kind.kind, kind);
  return byId;
};

/**
 * @example
 * const enricher = makeEnricher({ kinds: () => contributions.all().map((c) => c.value) });
 * api.onRun(TelemetryRecorded, enricher.enrichRun);
 */
export const makeEnricher = (options: EnricherOptions) => {
  const guards = options.guards ?? makeSourceGuards();
  const sourceLists = makeCoalescingCache<ReadonlyArray<SourceDocument>, unknown>({ maxEntries: 10_000 });
  const devices = makeCoalescingCache<DeviceFacts, unknown>({ maxEntries: 100_000 });

  const sourcesOf = (tenantId: string) =>
    sourceLists.get(
      tenantId,
      options.sourcesTtlMs ?? 1_000,
      Effect.flatMap(ReadModelStore, (store) =>
        store.find(sourcesCollection, { tenantId }, { sort: { sourceId: 1 }, limit: 1_000 }),
      ).pipe(Effect.map((documents) => documents as unknown as ReadonlyArray<SourceDocument>)),
    );

  const deviceOf = (tenantId: string, deviceId: string) =>
    devices.get(
      deviceDocumentId(tenantId, deviceId),
      options.devicesTtlMs ?? 5_000,
      Effect.flatMap(ReadModelStore, (store) =>
        batchedGet(store, devicesCollection, deviceDocumentId(tenantId, deviceId)),
      ).pipe(
        Effect.map(
          (document): DeviceFacts => ({
            attributes: (document?.attributes ?? {}) as DeviceFacts["attributes"],
            tags: (document?.tags ?? []) as ReadonlyArray<string>,
          }),
        ),
      ),
    );

  const secretOf = (tenantId: string) => (name: string) =>
    readSecret(tenantId, name).pipe(
      Effect.mapError(() => new SourceFetchFailed({ reason: "the secret store is unavailable", retryable: true })),
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.fail(new SourceFetchFailed({ reason: `secret ${name} is not set`, retryable: false })),
          onSome: Effect.succeed,
        }),
      ),
    );

  const askSource = (source: SourceDocument, reading: SourceReading, kinds: ReadonlyMap<string, SourceKind>) =>
    Effect.gen(function* () {
      const base = { sourceId: source.sourceId, kind: source.kind };
      const unavailable = (reason: string) =>
        Effect.map(
          guards.circuit(reading.tenantId, source.sourceId),
          (circuit): SourceResult => ({ ...base, status: "unavailable", reason, circuit, values: {} }),
        );
      const kind = kinds.get(source.kind);
      if (kind === undefined) return yield* unavailable(`no loaded plugin provides source kind ${source.kind}`);
      const plan = kind.plan(source.options, {
        sourceId: source.sourceId,
        reading,
        timeoutMs: source.timeoutMs,
        secret: secretOf(reading.tenantId),
      });
      if (plan._tag === "Failure") return yield* unavailable(plan.failure);
      const fetched = yield* guards.fetch(
        { tenantId: reading.tenantId, sourceId: source.sourceId, version: source.version, settings: source },
        plan.success,
      );
      if (fetched._tag === "Unavailable") return yield* unavailable(fetched.reason);
      const { values, missing } = applyMapping(source.mapping, fetched.document);
      const result: SourceResult = {
        ...base,
        status: "ok",
        cache: fetched.cache,
        fetchedAt: new Date(fetched.fetchedAt).toISOString(),
        circuit: fetched.circuit,
        values,
        ...(missing.length === 0 ? {} : { missing }),
      };
      return result;
    });

  /** The TelemetryEnriched for one reading, or none when no source of its tenant is triggered. */
  const enrichedEventOf = (event: EventOf<typeof TelemetryRecorded>) =>
    Effect.gen(function* () {
      const { tenantId } = event;
      const { deviceId, ts, values } = event.payload;
      const sources = (yield* sourcesOf(tenantId)).value;
      if (sources.length === 0) return undefined;
      const device = (yield* deviceOf(tenantId, deviceId)).value;
      const triggered = sources.filter((source) => triggerMatches(source.trigger, deviceId, device.tags, values));
      if (triggered.length === 0) return undefined;
      const reading: SourceReading = {
        tenantId,
        deviceId,
        ts,
        values,
        attributes: device.attributes,
        tags: device.tags,
      };
      const kinds = kindsById(options.kinds());
      const results = yield* Effect.forEach(triggered, (source) => askSource(source, reading, kinds), {
        concurrency: "unbounded",
      });
      const payload = buildEnrichedPayload(
        event.payload,
        event.id,
        results,
        new Date(yield* Clock.currentTimeMillis).toISOString(),
      );
      return {
        status: payload.enrichmentStatus,
        pending: TelemetryEnriched.make(payload, { tenantId, causedBy: event, idempotencyKey: enrichedIdempotencyKey }),
      };
    });

  /**
   * A run of readings (one device's consecutive readings in a consumer batch): each is
   * enriched (up to 8 at once; the cache coalesces equal requests), then the device's
   * enriched copies are appended in reading order with one append.
   */
  const enrichRun = Effect.fn("external-source.enrich")(function* (
    events: ReadonlyArray<EventOf<typeof TelemetryRecorded>>,
  ) {
    const enriched = yield* Effect.forEach(events, enrichedEventOf, { concurrency: 8 });
    const byStream = new Map<StreamId, Array<PendingEvent>>();
    const statuses = new Set<string>();
    enriched.forEach((outcome, index) => {
      const cause = events[index];
      if (outcome === undefined || cause === undefined) return;
      const streamId = enrichedStreamId(cause.tenantId, cause.payload.deviceId);
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), outcome.pending]);
      statuses.add(outcome.status);
    });
    yield* Effect.annotateCurrentSpan({
      "anansky.enrichment.readings": events.length,
      "anansky.enrichment.status": [...statuses].sort().join(","),
    });
    const writer = yield* EventWriter;
    for (const [streamId, pending] of byStream) yield* writer.append(streamId, "any", pending);
  });

  /** One reading (a run of one). */
  const enrich = (event: EventOf<typeof TelemetryRecorded>) => enrichRun([event]);

  return { enrich, enrichRun, guards };
};
