/**
 * POST /v1/telemetry from credential to durable events: authenticate (before reading a
 * byte of the body), pick the payload version and body format, read the body within its
 * limit, replay a saved response for a repeated Idempotency-Key, judge every item, refuse
 * decommissioned devices, take rate-limit tokens, append, answer 202. A partial batch keeps
 * its valid items; a batch with none fails as a whole (400, or 403 when only devices were wrong).
 */
import { Clock, Effect, Option } from "effect";
import {
  authenticate,
  type FieldIssue,
  Forbidden,
  PayloadTooLarge,
  RateLimited,
  requireKind,
  ValidationFailed,
} from "../../core/index.ts";
import { appendReadings } from "./appendReadings.ts";
import type { DeviceStatusLookup } from "./deviceAccess.ts";
import {
  type IdempotencyScope,
  type IdempotentResponses,
  parseIdempotencyKey,
  requestFingerprint,
} from "./idempotency.ts";
import type { IngestLimits } from "./ingestLimits.ts";
import { parseReadings } from "./parseReadings.ts";
import { payloadVersionOf, type VersionSelectors } from "./payloadVersion.ts";
import type { ReadingSchemas } from "./readingSchema.ts";
import { bodyFormatOf, decodeUtf8, readBodyWithin } from "./requestBody.ts";
import type { TokenBucketLimiter } from "./tokenBucket.ts";
import {
  type ReadingOutcome,
  type RejectedReading,
  rejected,
  type ValidReading,
  validateReading,
} from "./validateReading.ts";

/** What the route hands over from the HTTP request. */
export interface TelemetryRequest {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly versionSelectors: VersionSelectors;
  readonly idempotencyKey: string | undefined;
  readonly traceparent: string | undefined;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** The 202 body. */
export interface TelemetryAccepted {
  readonly accepted: number;
  readonly rejected: ReadonlyArray<{ readonly index: number; readonly errors: ReadonlyArray<FieldIssue> }>;
  readonly eventIds: ReadonlyArray<string>;
}

export interface TelemetryOutcome {
  readonly status: number;
  readonly body: TelemetryAccepted;
  /** True when a saved response of an earlier request with the same Idempotency-Key was replayed. */
  readonly replayed: boolean;
}

/** The plugin's per-process state and settings. */
export interface IngestDependencies {
  readonly limits: IngestLimits;
  readonly schemas: ReadingSchemas;
  readonly limiter: TokenBucketLimiter;
  readonly deviceStatus: DeviceStatusLookup;
  readonly responses: IdempotentResponses;
}

/** Issues of every rejected item as one list, fields prefixed by the item's index in a batch. */
const flattenRejections = (rejections: ReadonlyArray<RejectedReading>, single: boolean): Array<FieldIssue> =>
  rejections.flatMap((rejection) =>
    rejection.errors.map((issue) => ({
      // "(body)" and "(line)" stand for the whole item: its index says it all.
      field: single
        ? issue.field
        : issue.field.startsWith("(")
          ? String(rejection.index)
          : `${rejection.index}.${issue.field}`,
      reason: issue.reason,
    })),
  );

const noneAccepted = (rejections: ReadonlyArray<RejectedReading>, single: boolean) =>
  rejections.every((rejection) => rejection.kind === "forbidden")
    ? new Forbidden({
        detail: [...new Set(rejections.flatMap((rejection) => rejection.errors.map((issue) => issue.reason)))].join(
          "; ",
        ),
      })
    : new ValidationFailed({
        detail: single ? "the reading is invalid" : "no reading of the batch is valid",
        errors: flattenRejections(rejections, single),
      });

/** Valid readings of decommissioned devices become forbidden rejections. */
const refuseDecommissioned = (outcomes: ReadonlyArray<ReadingOutcome>, refused: ReadonlySet<string>) =>
  outcomes.map((outcome) =>
    outcome._tag === "Valid" && refused.has(outcome.reading.deviceId)
      ? rejected(
          outcome.reading.index,
          [{ field: "deviceId", reason: `device ${outcome.reading.deviceId} is decommissioned` }],
          "forbidden",
        )
      : outcome,
  );

const takeRateTokens = (
  readings: ReadonlyArray<ValidReading>,
  tenantId: string,
  nowMs: number,
  deps: IngestDependencies,
) => {
  const costs = new Map<string, number>();
  for (const reading of readings) {
    const key = `${tenantId}|${reading.deviceId}`;
    costs.set(key, (costs.get(key) ?? 0) + 1);
  }
  const taken = deps.limiter.take(costs, nowMs);
  if (taken._tag === "Taken") return Effect.void;
  const deviceId = taken.key.slice(tenantId.length + 1);
  return taken._tag === "Limited"
    ? Effect.fail(
        new RateLimited({
          detail: `device ${deviceId} sends more than ${deps.limits.ratePerSecond} readings per second`,
          retryAfterSeconds: taken.retryAfterSeconds,
        }),
      )
    : Effect.fail(
        new PayloadTooLarge({
          detail: `${taken.cost} readings for device ${deviceId} exceed its burst of ${deps.limits.rateBurst}: split the batch`,
        }),
      );
};

/**
 * @example
 * const outcome = await context.run(recordTelemetry(requestFrom(c), dependencies));
 * return c.json(outcome.body, 202);
 */
export const recordTelemetry = Effect.fn("ingest.recordTelemetry")(function* (
  request: TelemetryRequest,
  deps: IngestDependencies,
) {
  const sender = yield* requireKind(yield* authenticate(request.authorization), ["device"]);
  const version = yield* Effect.fromResult(payloadVersionOf(request.versionSelectors));
  const format = yield* Effect.fromResult(bodyFormatOf(request.contentType));
  const idempotencyKey = yield* Effect.fromResult(
    parseIdempotencyKey(request.idempotencyKey, deps.limits.maxIdempotencyKeyLength),
  );
  const bytes = yield* readBodyWithin(request.body, request.contentLength, deps.limits.maxBodyBytes);
  const text = yield* Effect.fromResult(decodeUtf8(bytes));
  const nowMs = yield* Clock.currentTimeMillis;

  const scope: IdempotencyScope | undefined =
    idempotencyKey === undefined
      ? undefined
      : { tenantId: sender.tenantId, credentialKeyId: sender.keyId, idempotencyKey };
  const fingerprint = scope === undefined ? "" : yield* requestFingerprint([`v${version}`, format], bytes);
  if (scope !== undefined) {
    const saved = yield* deps.responses.find(scope, fingerprint, nowMs);
    if (Option.isSome(saved)) {
      return { status: saved.value.status, body: saved.value.body as TelemetryAccepted, replayed: true };
    }
  }

  const parsed = yield* Effect.fromResult(parseReadings(text, format, deps.limits));
  const context = { version, schemas: deps.schemas, limits: deps.limits, nowMs, sender };
  const judged = parsed.items.map((item) =>
    item._tag === "Parsed"
      ? validateReading(item.value, item.index, context)
      : rejected(item.index, [{ field: "(line)", reason: item.reason }]),
  );
  const candidates = judged.flatMap((outcome) => (outcome._tag === "Valid" ? [outcome.reading.deviceId] : []));
  const refused = yield* deps.deviceStatus.decommissioned(sender.tenantId, candidates, nowMs);
  const outcomes = refuseDecommissioned(judged, refused);
  const valid = outcomes.flatMap((outcome) => (outcome._tag === "Valid" ? [outcome.reading] : []));
  const rejections = outcomes.flatMap((outcome) => (outcome._tag === "Rejected" ? [outcome.rejection] : []));
  if (valid.length === 0) return yield* noneAccepted(rejections, parsed.single);

  yield* takeRateTokens(valid, sender.tenantId, nowMs, deps);
  const eventIds = yield* appendReadings(valid, {
    tenantId: sender.tenantId,
    nowMs,
    scope,
    traceparent: request.traceparent,
  });
  const body: TelemetryAccepted = {
    accepted: valid.length,
    rejected: rejections.map(({ index, errors }) => ({ index, errors })),
    eventIds,
  };
  if (scope !== undefined) yield* deps.responses.save(scope, fingerprint, { status: 202, body }, nowMs);
  return { status: 202, body, replayed: false } satisfies TelemetryOutcome as TelemetryOutcome;
});
