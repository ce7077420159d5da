/**
 * Writing sources: decisions are made on the source's stream (the read model may lag),
 * the event is appended at the version read (a concurrent writer gets 409), then folded
 * into `rm_external_sources` before answering, so the response and the next read show it.
 */
import { Effect, Stream } from "effect";
import {
  applyProjectionBatch,
  Conflict,
  type EventEnvelope,
  EventStore,
  EventWriter,
  NotFound,
  type PendingEvent,
  type TenantId,
} from "../../core/index.ts";
import { ExternalSourceDefined, ExternalSourceRemoved, sourceStreamId } from "./sourceEvents.ts";
import type { SourceSettings } from "./sourceSettings.ts";
import { sourcesProjection } from "./sourcesProjection.ts";

/** Whether the source exists now, and the stream version the next append must expect. */
const foldSource = (tenantId: string, sourceId: string) =>
  Effect.flatMap(EventStore, (store) =>
    store.readStream(sourceStreamId(tenantId, sourceId)).pipe(
      Stream.runFold(
        () => ({ exists: false, version: 0 }),
        (state, envelope: EventEnvelope) => ({
          exists: ExternalSourceDefined.is(envelope) ? true : ExternalSourceRemoved.is(envelope) ? false : state.exists,
          version: envelope.streamVersion,
        }),
      ),
    ),
  );

/** Folds inline; a racing upsert by the live runner loses with a duplicate key and is simply folded again. */
const record = (tenantId: string, sourceId: string, expectedVersion: number, event: PendingEvent) =>
  Effect.gen(function* () {
    const writer = yield* EventWriter;
    const stored = yield* writer.append(sourceStreamId(tenantId, sourceId), expectedVersion, [event]);
    yield* applyProjectionBatch(sourcesProjection, stored).pipe(
      Effect.retry({ times: 3, while: (error) => error._tag === "ReadModelConstraintViolation" }),
      Effect.catchTag("ReadModelConstraintViolation", Effect.die),
    );
  });

/**
 * Creates a source (409 when it exists) or replaces one (404 when it does not; 409 when
 * `ifMatch` names another version).
 *
 * @example
 * yield* defineSource("acme", "weather", settings, { create: true });
 * yield* defineSource("acme", "weather", settings, { create: false, ifMatch: 1 });
 */
export const defineSource = Effect.fn("external-source.defineSource")(function* (
  tenantId: string,
  sourceId: string,
  settings: SourceSettings,
  mode: { readonly create: boolean; readonly ifMatch?: number | undefined },
) {
  const current = yield* foldSource(tenantId, sourceId);
  if (mode.create && current.exists) return yield* new Conflict({ detail: `source ${sourceId} exists` });
  if (!mode.create && !current.exists) return yield* new NotFound({ detail: `no source ${sourceId}` });
  if (mode.ifMatch !== undefined && mode.ifMatch !== current.version) {
    return yield* new Conflict({ detail: `source ${sourceId} is at version ${current.version}, not ${mode.ifMatch}` });
  }
  const event = ExternalSourceDefined.make({ sourceId, settings }, { tenantId: tenantId as TenantId });
  yield* record(tenantId, sourceId, current.version, event);
});

/**
 * @example
 * yield* removeSource("acme", "weather"); // NotFound when there is none
 */
export const removeSource = Effect.fn("external-source.removeSource")(function* (tenantId: string, sourceId: string) {
  const current = yield* foldSource(tenantId, sourceId);
  if (!current.exists) return yield* new NotFound({ detail: `no source ${sourceId}` });
  yield* record(
    tenantId,
    sourceId,
    current.version,
    ExternalSourceRemoved.make({ sourceId }, { tenantId: tenantId as TenantId }),
  );
});
