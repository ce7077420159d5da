/**
 * How every command of this plugin writes: append the events, then fold them into
 * `rm_devices` and `rm_api_keys` before answering, so a new key works and a revoked one
 * stops working as soon as the HTTP response is sent (the projection runner folds them
 * again later, idempotently).
 */
import { Effect } from "effect";
import {
  type AnyProjection,
  ConcurrencyError,
  type EventEnvelope,
  EventWriter,
  foldUntilVisible,
  forgetCachedKeys,
  type PendingEvent,
  type StreamId,
} from "../../core/index.ts";
import { apiKeysProjection } from "./apiKeysProjection.ts";
import { DeviceKeyRevoked } from "./deviceEvents.ts";
import { devicesProjection } from "./devicesProjection.ts";
import { StreamRaced } from "./Errors.ts";
import type { FoldedStream } from "./streamFold.ts";
import { TenantKeyRevoked } from "./tenantEvents.ts";

const revocationTypes = new Set<string>([DeviceKeyRevoked.type, TenantKeyRevoked.type]);

/**
 * Folds just-appended events into one projection until the stored documents show them:
 * the live runner may fold the same events at the same moment (see foldUntilVisible). Our
 * unique indexes cannot otherwise collide (the document id determines their keys), so a
 * violation that persists is a bug.
 */
const projectInline = (projection: AnyProjection, stored: ReadonlyArray<EventEnvelope>) =>
  foldUntilVisible(projection, stored).pipe(Effect.catchTag("ReadModelConstraintViolation", Effect.die));

/**
 * Appends and projects inline; forgets cached key lookups after a revocation so this
 * process refuses the key at once (other processes within authenticate's cache TTL).
 *
 * @example
 * yield* recordEvents(deviceStreamId(t, d), 3, [DeviceDecommissioned.make({ deviceId: d }, { tenantId })]);
 */
export const recordEvents = Effect.fn("devices.recordEvents")(function* (
  streamId: StreamId,
  expectedVersion: number,
  events: ReadonlyArray<PendingEvent>,
) {
  const writer = yield* EventWriter;
  const stored = yield* writer.append(streamId, expectedVersion, events);
  yield* projectInline(apiKeysProjection, stored);
  yield* projectInline(devicesProjection, stored);
  if (stored.some((envelope) => revocationTypes.has(envelope.type))) forgetCachedKeys();
  return stored;
});

/** What a command decided: the events to append (none = nothing changes) and its answer. */
export interface Decision<A> {
  readonly events: ReadonlyArray<PendingEvent>;
  readonly result: A;
}

const attempts = 4;

/**
 * Reads the stream, decides, appends at the version read; when another writer got in
 * first, does it all again (up to 4 attempts), then fails with ConcurrencyError.
 *
 * @example
 * runCommand(loadDevice(t, d), deviceStreamId(t, d), ({ state }) =>
 *   Effect.succeed({ events: [DeviceDecommissioned.make({ deviceId: d }, { tenantId })], result: undefined }));
 */
export const runCommand = <S, A, LoadError, LoadServices, DecideError, DecideServices>(
  load: Effect.Effect<FoldedStream<S>, LoadError, LoadServices>,
  streamId: StreamId,
  decide: (folded: FoldedStream<S>) => Effect.Effect<Decision<A>, DecideError, DecideServices>,
) =>
  Effect.gen(function* () {
    const folded = yield* load;
    const decision = yield* decide(folded);
    const stored: ReadonlyArray<EventEnvelope> =
      decision.events.length === 0
        ? []
        : yield* recordEvents(streamId, folded.streamVersion, decision.events).pipe(
            Effect.catchTag("ConcurrencyError", (error) =>
              Effect.fail(
                new StreamRaced({
                  streamId: error.streamId,
                  expectedVersion: folded.streamVersion,
                  actualVersion: error.actualVersion,
                }),
              ),
            ),
          );
    return { result: decision.result, stored };
  }).pipe(
    Effect.retry({ times: attempts - 1, while: (error) => error instanceof StreamRaced }),
    Effect.catchIf(
      (error) => error instanceof StreamRaced,
      (raced) =>
        Effect.fail(
          new ConcurrencyError({
            streamId: raced.streamId,
            expectedVersion: raced.expectedVersion,
            actualVersion: raced.actualVersion,
          }),
        ),
    ),
  );
