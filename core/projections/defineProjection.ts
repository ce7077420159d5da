/**
 * Projection definitions: a named, versioned read model folded from events. The runner
 * (ProjectionRunner.ts) keeps it up to date from Kafka and rebuilds it from the event store
 * whenever its version changes.
 */
import type { EventOf } from "../events/defineEvent.ts";
import type { AnyEventDefinition } from "../events/EventRegistry.ts";

/** A secondary index of a read-model collection (unique indexes are created sparse: see ReadModelStore). */
export interface ReadModelIndex {
  readonly keys: Readonly<Record<string, 1 | -1>>;
  readonly unique?: boolean | undefined;
}

/**
 * How a projection's documents are kept in the store when not as `apply` builds them:
 * `encode` before every write, `decode` after every load (bookkeeping keys such as
 * `_applied` are added and removed around them). `decode` must also read every form the
 * collection may still hold from before.
 */
export interface StoredForm<Doc> {
  readonly encode: (doc: Doc) => Record<string, unknown>;
  readonly decode: (stored: Readonly<Record<string, unknown>>) => Doc;
}

/**
 * A projection as `defineProjection` returns it: what the runner needs to fold events
 * into documents of `collection`.
 *
 * @example
 * const doc = devicesProjection.apply(undefined, registeredEvent);
 */
export interface ProjectionDefinition<Doc extends Record<string, unknown>, Event> {
  readonly name: string;
  /** Bump it when `apply` or `key` change meaning: the runner then rebuilds the read model. */
  readonly version: number;
  readonly events: ReadonlyArray<AnyEventDefinition>;
  /** The id of the document an event changes; undefined means the event is ignored. */
  readonly key: (event: Event) => string | undefined;
  /** The document after the event (decoded and upcast); undefined deletes the document. */
  readonly apply: (doc: Doc | undefined, event: Event) => Doc | undefined;
  readonly indexes: ReadonlyArray<ReadModelIndex>;
  /**
   * `apply` is idempotent and gives the same document whatever order events arrive in
   * (it dedupes by event id itself): no gap filling from the store, no skipping by version.
   * Saves re-reading a stream's history for documents that start mid-stream (hour buckets).
   */
  readonly orderIndependent: boolean;
  /**
   * Whether an event begins its document: nothing before it in its stream belongs to that
   * document (an alert episode's first event, when one stream holds many episodes). A
   * document first seen at such an event reads no gap before it from the store.
   */
  readonly startsDocument: (event: Event) => boolean;
  /** How documents are stored (as they are unless the projection says otherwise). */
  readonly storedForm: StoredForm<Doc>;
  /** Where the documents live: `rm_<name>`. */
  readonly collection: string;
  /** The event types folded, for topic lookup and `readAll` filters. */
  readonly types: ReadonlyArray<string>;
  /** The definition that decodes a stored event of this type, if the projection folds it. */
  readonly definitionOf: (type: string) => AnyEventDefinition | undefined;
}

/** Any projection, whatever its document and event types (for runners and registries). */
// biome-ignore lint/suspicious/noExplicitAny: a runner holds projections of every document type
export type AnyProjection = ProjectionDefinition<any, any>;

/** The document type of a projection. */
export type DocumentOf<P> = P extends ProjectionDefinition<infer Doc, infer _Event> ? Doc : never;

const asStored: StoredForm<Record<string, unknown>> = { encode: (doc) => doc, decode: (stored) => ({ ...stored }) };

const projectionNamePattern = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Declares a projection. Leave the type parameters to inference (annotate `doc` in
 * `apply`) to get `event` typed as the union of the listed events.
 *
 * @example
 * interface DeviceDoc extends Record<string, unknown> { readonly name: string; readonly readings: number }
 * export const devicesProjection = defineProjection({
 *   name: "devices",
 *   version: 1,
 *   events: [DeviceRegistered, TelemetryRecorded],
 *   key: (event) => event.payload.deviceId,
 *   apply: (doc: DeviceDoc | undefined, event) =>
 *     event.type === "DeviceRegistered"
 *       ? { name: event.payload.name, readings: 0 }
 *       : doc && { ...doc, readings: doc.readings + 1 },
 *   indexes: [{ keys: { name: 1 } }],
 * });
 */
export const defineProjection = <
  Doc extends Record<string, unknown>,
  const Events extends ReadonlyArray<AnyEventDefinition> = ReadonlyArray<AnyEventDefinition>,
>(options: {
  readonly name: string;
  readonly version: number;
  readonly events: Events;
  readonly key: (event: EventOf<Events[number]>) => string | undefined;
  readonly apply: (doc: Doc | undefined, event: EventOf<Events[number]>) => Doc | undefined;
  readonly indexes?: ReadonlyArray<ReadModelIndex> | undefined;
  readonly orderIndependent?: boolean | undefined;
  readonly startsDocument?: ((event: EventOf<Events[number]>) => boolean) | undefined;
  readonly storedForm?: StoredForm<Doc> | undefined;
}): ProjectionDefinition<Doc, EventOf<Events[number]>> => {
  if (!projectionNamePattern.test(options.name)) {
    throw new Error(`projection name must match ${projectionNamePattern}: ${options.name}`);
  }
  if (!Number.isSafeInteger(options.version) || options.version < 1) {
    throw new Error(`projection ${options.name}: version must be an integer >= 1, got ${options.version}`);
  }
  const byType = new Map<string, AnyEventDefinition>();
  for (const definition of options.events) {
    const existing = byType.get(definition.type);
    if (existing !== undefined && existing !== definition) {
      throw new Error(`projection ${options.name}: event type ${definition.type} is listed twice`);
    }
    byType.set(definition.type, definition);
  }
  return {
    name: options.name,
    version: options.version,
    events: options.events,
    key: options.key,
    apply: options.apply,
    indexes: options.indexes ?? [],
    orderIndependent: options.orderIndependent ?? false,
    startsDocument: options.startsDocument ?? (() => false),
    storedForm: options.storedForm ?? (asStored as StoredForm<Doc>),
    collection: `rm_${options.name}`,
    types: [...byType.keys()],
    definitionOf: (type) => byType.get(type),
  };
};
