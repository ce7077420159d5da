/** The ingest plugin's operations in /openapi.json, described with the Schemas the routes decode with. */
import { Schema } from "effect";
import type { OperationSpec } from "../../core/index.ts";
import type { IngestLimits } from "./ingestLimits.ts";
import { readingSchemas } from "./readingSchema.ts";

const Accepted = Schema.Struct({
  accepted: Schema.Int,
  rejected: Schema.Array(
    Schema.Struct({
      index: Schema.Int,
      errors: Schema.Array(Schema.Struct({ field: Schema.String, reason: Schema.String })),
    }),
  ),
  eventIds: Schema.Array(Schema.String),
});

const device = [{ name: "deviceId", description: "the device's id within the caller's tenant" }];
const telemetryHeaders = [
  {
    name: "Idempotency-Key",
    description: "a retried request with the same key stores nothing twice and gets the same answer",
  },
  {
    name: "Anansky-Payload-Version",
    description: "1 for the Python system's flat payload; 2 (default) for {ts, values}",
  },
];

/**
 * @example
 * api.openapi(...ingestOperations(defaultIngestLimits));
 */
export const ingestOperations = (limits: IngestLimits): ReadonlyArray<OperationSpec> => {
  const { ReadingV2, FlatReading } = readingSchemas(limits);
  const limitsText = `At most ${limits.maxReadingsPerRequest} readings and ${limits.maxBodyBytes} bytes per request (413), ${limits.maxValuesPerReading} values per reading; a device may send ${limits.ratePerSecond} readings/s with bursts of ${limits.rateBurst} (429 with Retry-After).`;
  return [
    {
      method: "post",
      path: "/v1/telemetry",
      summary: "Record telemetry: one reading, a JSON array, or NDJSON",
      description: `202 once the readings are durably stored; invalid items are reported by index and never drop the valid ones. ${limitsText}`,
      tags: ["telemetry"],
      credentials: ["device"],
      headers: telemetryHeaders,
      requestBody: {
        contentTypes: ["application/json", "application/x-ndjson"],
        schema: Schema.Union([ReadingV2, Schema.Array(ReadingV2)]),
      },
      responses: { 202: { description: "accepted (possibly partially)", schema: Accepted } },
    },
    {
      method: "post",
      path: "/v1/telemetry/v1",
      summary: "Record telemetry in the Python system's flat payload (upcast to v2)",
      description: `The flat shape is {deviceId, timestamp, <metric>: value, ...}. ${limitsText}`,
      tags: ["telemetry"],
      credentials: ["device"],
      headers: telemetryHeaders,
      requestBody: {
        contentTypes: ["application/json", "application/x-ndjson"],
        schema: Schema.Union([FlatReading, Schema.Array(FlatReading)]),
      },
      responses: { 202: { description: "accepted (possibly partially)", schema: Accepted } },
    },
    {
      method: "get",
      path: "/v1/devices/{deviceId}/latest",
      summary: "The newest value of every key of a device",
      tags: ["telemetry"],
      credentials: ["tenant", "device"],
      pathParameters: device,
      responses: { 200: { description: "`{deviceId, values: {key: {value, ts}}, lastSeenAt}`" } },
    },
    {
      method: "get",
      path: "/v1/devices/{deviceId}/readings",
      summary: "Readings of a device over a time range, oldest first, paginated",
      tags: ["telemetry"],
      credentials: ["tenant", "device"],
      pathParameters: device,
      query: Schema.Struct({
        key: Schema.optionalKey(Schema.String),
        from: Schema.optionalKey(Schema.String),
        to: Schema.optionalKey(Schema.String),
        limit: Schema.optionalKey(Schema.String),
        cursor: Schema.optionalKey(Schema.String),
      }),
      responses: { 200: { description: "`{readings: [{ts, value}], nextCursor}`" } },
    },
  ];
};
