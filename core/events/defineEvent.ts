/**
 * Typed event definitions. A definition names its type, the family that decides its Kafka
 * topic, the payload schema of the current schemaVersion, and upcasters that turn stored
 * payloads of older versions into the current shape when read.
 */
import { Effect, Schema } from "effect";
import { EventDecodeError } from "./Errors.ts";
import type { EventEnvelope, PendingEvent, TenantId } from "./EventEnvelope.ts";
import { derivedEventId, type EventId, newEventId } from "./EventId.ts";

/** Turns a payload of version `n` into version `n + 1`. */
export type Upcaster = (payload: unknown) => unknown;

export interface EventDefinition<Type extends string, Payload extends Schema.Top> {
  readonly type: Type;
  readonly family: string;
  readonly schemaVersion: number;
  readonly payload: Payload;
  /** Keyed by the version they upcast from: `{ 1: v1ToV2 }`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** Builds a pending event of this type. */
  make(payload: Payload["Type"], meta: EventMeta): PendingEvent;
  /** Decodes a stored envelope of this type, upcasting older payloads first. */
  decode(envelope: EventEnvelope): Effect.Effect<TypedEvent<Type, Payload["Type"]>, EventDecodeError>;
  is(envelope: EventEnvelope): boolean;
}

/** An envelope whose payload has been decoded to its current schema. */
export type TypedEvent<Type extends string, Payload> = Omit<EventEnvelope, "type" | "payload"> & {
  readonly type: Type;
  readonly payload: Payload;
};

/** The typed event an event definition decodes to. */
export type EventOf<D> = D extends EventDefinition<infer T, infer P> ? TypedEvent<T, P["Type"]> : never;

export interface EventMeta {
  readonly tenantId: TenantId;
  /** Device or business time; defaults to now. */
  readonly occurredAt?: string | undefined;
  /** The event that caused this one: its id becomes causationId, its correlation and trace carry over. */
  readonly causedBy?: EventEnvelope | undefined;
  /**
   * Set for events appended by handlers: the id is derived from the cause and this key,
   * so a redelivered cause appends the same id again and the store keeps one copy.
   */
  readonly idempotencyKey?: string | undefined;
  readonly id?: EventId | undefined;
  readonly correlationId?: string | undefined;
  readonly traceparent?: string | null | undefined;
}

/**
 * Declares an event type.
 *
 * @example
 * export const DeviceRegistered = defineEvent({
 *   type: "DeviceRegistered",
 *   family: "devices",
 *   schemaVersion: 1,
 *   payload: Schema.Struct({ deviceId: Schema.String, name: Schema.String }),
 * });
 * const pending = DeviceRegistered.make({ deviceId: "d1", name: "Pump" }, { tenantId });
 */
export const defineEvent = <const Type extends string, Payload extends Schema.Codec<unknown, unknown>>(options: {
  readonly type: Type;
  readonly family: string;
  readonly schemaVersion?: number;
  readonly payload: Payload;
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}): EventDefinition<Type, Payload> => {
  const schemaVersion = options.schemaVersion ?? 1;
  const upcasters = options.upcasters ?? {};
  const decodePayload = Schema.decodeUnknownEffect(options.payload);
  const encodePayload = Schema.encodeSync(options.payload);
  const upcast = (payload: unknown, from: number): unknown => {
    let current = payload;
    for (let version = from; version < schemaVersion; version++) {
      const upcaster = upcasters[version];
      if (upcaster === undefined) throw new Error(`${options.type}: no upcaster from version ${version}`);
      current = upcaster(current);
    }
    return current;
  };
  return {
    type: options.type,
    family: options.family,
    schemaVersion,
    payload: options.payload,
    upcasters,
    is: (envelope) => envelope.type === options.type,
    make: (payload, meta) => {
      const cause = meta.causedBy;
      const now = Date.now();
      const id =
        meta.id ??
        (cause !== undefined && meta.idempotencyKey !== undefined
          ? derivedEventId(`${cause.id}/${meta.idempotencyKey}`, Date.parse(cause.recordedAt) || now)
          : newEventId(now));
      return {
        id,
        type: options.type,
        schemaVersion,
        occurredAt: meta.occurredAt ?? cause?.occurredAt ?? new Date(now).toISOString(),
        tenantId: meta.tenantId,
        causationId: cause?.id ?? null,
        correlationId: meta.correlationId ?? cause?.correlationId ?? id,
        traceparent: meta.traceparent !== undefined ? meta.traceparent : (cause?.traceparent ?? null),
        payload: encodePayload(payload),
      };
    },
    decode: (envelope) =>
      Effect.try({
        try: () => upcast(envelope.payload, envelope.schemaVersion),
        catch: (cause) => new EventDecodeError({ eventId: envelope.id, type: envelope.type, reason: String(cause) }),
      }).pipe(
        Effect.flatMap((payload) => decodePayload(payload)),
        Effect.mapError((error) =>
          error instanceof EventDecodeError
            ? error
            : new EventDecodeError({ eventId: envelope.id, type: envelope.type, reason: error.message }),
        ),
        Effect.map((payload) => ({ ...envelope, type: options.type, schemaVersion, payload })),
      ),
  };
};
