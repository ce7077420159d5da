/**
 * Messages a consumer group gave up on after its retries. They are published to the
 * dead-letter topic (with the error and the original headers) and indexed here so that
 * an SRE can list, inspect and replay them.
 */
import { Context, Effect, Layer, Option, Schema } from "effect";
import type { EventStoreUnavailable } from "../store/Errors.ts";

export const DeadLetter = Schema.Struct({
  /** `<group>|<topic>|<partition>|<offset>`: one record per failed delivery. */
  id: Schema.String,
  group: Schema.String,
  pluginId: Schema.String,
  topic: Schema.String,
  partition: Schema.Number,
  offset: Schema.String,
  key: Schema.String,
  value: Schema.String,
  headers: Schema.Record(Schema.String, Schema.String),
  eventId: Schema.NullOr(Schema.String),
  eventType: Schema.NullOr(Schema.String),
  error: Schema.String,
  attempts: Schema.Number,
  failedAt: Schema.String,
  status: Schema.Literals(["dead", "replayed"]),
  replayedAt: Schema.NullOr(Schema.String),
});
export type DeadLetter = typeof DeadLetter.Type;

export interface DeadLetterQuery {
  readonly group?: string | undefined;
  readonly status?: DeadLetter["status"] | undefined;
  readonly limit?: number | undefined;
}

export class DeadLetters extends Context.Service<
  DeadLetters,
  {
    record(deadLetter: DeadLetter): Effect.Effect<void, EventStoreUnavailable>;
    list(query: DeadLetterQuery): Effect.Effect<ReadonlyArray<DeadLetter>, EventStoreUnavailable>;
    get(id: string): Effect.Effect<Option.Option<DeadLetter>, EventStoreUnavailable>;
    markReplayed(id: string, at: string): Effect.Effect<void, EventStoreUnavailable>;
  }
>()("anansky/DeadLetters") {
  static readonly layerMemory = Layer.sync(DeadLetters, () => {
    const records = new Map<string, DeadLetter>();
    return DeadLetters.of({
      record: (deadLetter) => Effect.sync(() => void records.set(deadLetter.id, deadLetter)),
      list: (query) =>
        Effect.sync(() =>
          [...records.values()]
            .filter(
              (d) =>
                (query.group === undefined || d.group === query.group) &&
                (query.status === undefined || d.status === query.status),
            )
            .sort((a, b) => a.failedAt.localeCompare(b.failedAt))
            .slice(0, query.limit ?? 100),
        ),
      get: (id) => Effect.sync(() => Option.fromNullishOr(records.get(id))),
      markReplayed: (id, at) =>
        Effect.sync(() => {
          const record = records.get(id);
          if (record !== undefined) records.set(id, { ...record, status: "replayed", replayedAt: at });
        }),
    });
  });
}
