/**
 * Rebuilds an aggregate's state from its stream, the source of truth for decisions (the
 * read models may lag a live runner). Events of types the aggregate does not know (for
 * example readings another plugin appends to the same stream) only move the stream
 * version, which is what the next append must expect.
 */
import { Effect, Stream } from "effect";
import {
  type AnyEventDefinition,
  type EventOf,
  EventStore,
  type EventStoreUnavailable,
  type StreamId,
} from "../../core/index.ts";

export interface FoldedStream<S> {
  readonly state: S;
  /** The stream's version (0 when it does not exist): the expected version of the next append. */
  readonly streamVersion: number;
  /** The version of the last event the aggregate knows (0 when none): what If-Match compares with. */
  readonly ownVersion: number;
}

/**
 * @example
 * const { state, streamVersion } = yield* foldStream(deviceStreamId(t, d), deviceEvents, initialDevice, evolveDevice);
 */
export const foldStream = <S, const D extends AnyEventDefinition>(
  streamId: StreamId,
  definitions: ReadonlyArray<D>,
  initial: S,
  evolve: (state: S, event: EventOf<D>) => S,
): Effect.Effect<FoldedStream<S>, EventStoreUnavailable, EventStore> => {
  const byType = new Map<string, AnyEventDefinition>(definitions.map((definition) => [definition.type, definition]));
  return Effect.flatMap(EventStore, (store) =>
    store.readStream(streamId).pipe(
      Stream.runFoldEffect(
        (): FoldedStream<S> => ({ state: initial, streamVersion: 0, ownVersion: 0 }),
        (folded, envelope) => {
          const definition = byType.get(envelope.type);
          if (definition === undefined) return Effect.succeed({ ...folded, streamVersion: envelope.streamVersion });
          return definition.decode(envelope).pipe(
            // Our own events were valid when appended: one that no longer decodes is a bug.
            Effect.orDie,
            Effect.map((event) => ({
              state: evolve(folded.state, event as EventOf<D>),
              streamVersion: envelope.streamVersion,
              ownVersion: envelope.streamVersion,
            })),
          );
        },
      ),
    ),
  );
};
