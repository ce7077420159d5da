/**
 * Kinds of bad input for POST /v1/telemetry and the read routes, each with the status it
 * must get: malformed and hostile bodies, limits, timestamps, credentials, operator
 * injection, content negotiation. Shared by the e2e test (real HTTP) and usable in process.
 */
import { ndjson, type PostOptions } from "./ingestRequests.ts";

const now = () => Date.now();
const values = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
const megabyteAndOne = `{"values":{"note":"${"x".repeat(1024 * 1024)}"}}`;

export interface BadInput {
  readonly name: string;
  readonly request: () => Promise<Response> | Response;
  readonly status: number;
  /** Text the problem's detail or one of its field issues must contain. */
  readonly says?: string;
}

/** How the cases send requests, against whichever platform the test runs. */
export interface BadInputRequests {
  readonly post: (body: unknown, options?: PostOptions) => () => Promise<Response>;
  /** `null` sends no credential; the default is the tenant key. */
  readonly get: (path: string, secret?: string | null) => () => Promise<Response>;
  /** A body of `totalBytes` streamed without Content-Length. */
  readonly postStreamed: (totalBytes: number) => () => Promise<Response>;
  readonly keys: {
    readonly revoked: string;
    readonly tenant: string;
    readonly retired: string;
    readonly device: string;
    readonly otherTenant: string;
    readonly admin: string;
  };
}

/**
 * The cases: every request is refused with `status`, and stores nothing.
 *
 * @example
 * for (const { name, request, status } of badInputCases(requests)) it(name, async () => expect((await request()).status).toBe(status));
 */
export const badInputCases = ({ post, get, postStreamed, keys }: BadInputRequests): ReadonlyArray<BadInput> => [
  { name: "malformed JSON", request: post('{"values":'), status: 400, says: "malformed JSON" },
  { name: "a NaN literal", request: post('{"values":{"t":NaN}}'), status: 400, says: "malformed JSON" },
  { name: "an Infinity literal", request: post('{"values":{"t":Infinity}}'), status: 400, says: "malformed JSON" },
  { name: "1e400 (Infinity once parsed)", request: post('{"values":{"t":1e400}}'), status: 400, says: "finite" },
  { name: "-1e400", request: post('[{"values":{"t":-1e400}}]'), status: 400, says: "finite" },
  { name: "values of the wrong type", request: post({ values: "21.5" }), status: 400, says: "Expected object" },
  {
    name: "a nested value",
    request: post({ values: { t: { celsius: 21 } } }),
    status: 400,
    says: "finite number, a boolean or a string",
  },
  { name: "a null value", request: post({ values: { t: null } }), status: 400, says: "finite number" },
  { name: "an array value", request: post({ values: { t: [1, 2] } }), status: 400, says: "finite number" },
  {
    name: "deep nesting",
    request: post(`${"[".repeat(50_000)}${"]".repeat(50_000)}`),
    status: 400,
    says: "nested deeper",
  },
  { name: "a body over 1 MiB", request: post(megabyteAndOne), status: 413, says: "larger than 1048576 bytes" },
  {
    name: "a streamed body over 1 MiB without Content-Length",
    request: postStreamed(2 * 1024 * 1024),
    status: 413,
  },
  {
    name: "1,001 readings",
    request: post(Array.from({ length: 1001 }, () => ({ values: { t: 1 } }))),
    status: 413,
    says: "limit is 1000",
  },
  {
    name: "an unknown field",
    request: post({ values: { t: 1 }, unit: "C" }),
    status: 400,
    says: "Expected no excess property",
  },
  { name: "101 values", request: post({ values: values(101) }), status: 400, says: "at most 100 values" },
  { name: "a key with a space", request: post({ values: { "t c": 1 } }), status: 400, says: "keys are 1 to 64" },
  {
    name: "a 65-character key",
    request: post({ values: { [`k${"x".repeat(64)}`]: 1 } }),
    status: 400,
    says: "keys are 1 to 64",
  },
  { name: "a __proto__ key", request: post('{"values":{"__proto__":1}}'), status: 400, says: "reserved key" },
  {
    name: "a 257-character string",
    request: post({ values: { t: "x".repeat(257) } }),
    status: 400,
    says: "at most 256",
  },
  { name: "no values", request: post({ values: {} }), status: 400, says: "at least one value" },
  {
    name: "a ts 10 minutes ahead",
    request: post({ ts: now() + 600_000, values: { t: 1 } }),
    status: 400,
    says: "in the future",
  },
  {
    name: "a ts two years old",
    request: post({ ts: now() - 2 * 365 * 86_400_000, values: { t: 1 } }),
    status: 400,
    says: "older than",
  },
  { name: "a ts in prose", request: post({ ts: "yesterday", values: { t: 1 } }), status: 400, says: "ISO 8601" },
  {
    name: "a ts in epoch seconds",
    request: post({ ts: Math.floor(now() / 1000), values: { t: 1 } }),
    status: 400,
    says: "epoch seconds",
  },
  {
    name: "February 30th",
    request: post({ ts: "2024-02-30T00:00:00Z", values: { t: 1 } }),
    status: 400,
    says: "not a calendar",
  },
  { name: "a boolean ts", request: post({ ts: true, values: { t: 1 } }), status: 400, says: "ts" },
  { name: "no Authorization", request: post({ values: { t: 1 } }, { secret: undefined }), status: 401 },
  {
    name: "an unknown key",
    request: post({ values: { t: 1 } }, { secret: "ak_d_nobody" }),
    status: 401,
    says: "unknown credential",
  },
  {
    name: "a revoked key",
    request: post({ values: { t: 1 } }, { secret: keys.revoked }),
    status: 401,
    says: "revoked",
  },
  { name: "a tenant key sending telemetry", request: post({ values: { t: 1 } }, { secret: keys.tenant }), status: 403 },
  {
    name: "the admin token sending telemetry",
    request: post({ values: { t: 1 } }, { secret: keys.admin }),
    status: 403,
  },
  {
    name: "another device's id",
    request: post({ deviceId: "pump-2", values: { t: 1 } }),
    status: 403,
    says: "may not send for device pump-2",
  },
  {
    name: "a decommissioned device",
    request: post({ values: { t: 1 } }, { secret: keys.retired }),
    status: 403,
    says: "decommissioned",
  },
  {
    name: "an operator object as deviceId",
    request: post({ deviceId: { $gt: "" }, values: { t: 1 } }),
    status: 400,
    says: "Expected string",
  },
  {
    name: "an operator key in values",
    request: post({ values: { $where: 1 } }),
    status: 400,
    says: "keys are 1 to 64",
  },
  { name: "text/plain", request: post("t=1", { contentType: "text/plain" }), status: 415, says: "text/plain" },
  {
    name: "payload version 3",
    request: post({ values: { t: 1 } }, { path: "/v1/telemetry?version=3" }),
    status: 400,
    says: "unknown payload version",
  },
  {
    name: "disagreeing version selectors",
    request: post({ values: { t: 1 } }, { path: "/v1/telemetry/v1?version=2" }),
    status: 400,
    says: "disagree",
  },
  {
    name: "an unknown query parameter",
    request: post({ values: { t: 1 } }, { path: "/v1/telemetry?tenantId=globex" }),
    status: 400,
  },
  {
    name: "an oversized Idempotency-Key",
    request: post({ values: { t: 1 } }, { headers: { "idempotency-key": "k".repeat(201) } }),
    status: 400,
    says: "Idempotency-Key",
  },
  {
    name: "bytes that are not UTF-8",
    request: post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    status: 400,
    says: "UTF-8",
  },
  { name: "an empty body", request: post(""), status: 400, says: "empty" },
  { name: "an empty array", request: post("[]"), status: 400, says: "empty" },
  { name: "a bare number", request: post("42"), status: 400, says: "expected a reading" },
  {
    name: "NDJSON whose every line is malformed",
    request: post(ndjson("{oops", "[1,"), { contentType: "application/x-ndjson" }),
    status: 400,
    says: "malformed JSON",
  },
  {
    name: "v1 without deviceId",
    request: post({ timestamp: now() / 1000, t: 1 }, { path: "/v1/telemetry/v1" }),
    status: 400,
    says: "deviceId",
  },
  {
    name: "v1 with a nested metric",
    request: post({ deviceId: "pump-1", t: { celsius: 1 } }, { path: "/v1/telemetry/v1" }),
    status: 400,
    says: "finite number",
  },
  {
    name: "an operator object in the device path",
    request: get(`/v1/devices/${encodeURIComponent('{"$gt":""}')}/latest`),
    status: 400,
  },
  { name: "an operator in a query parameter name", request: get("/v1/devices/pump-1/readings?key[$gt]="), status: 400 },
  {
    name: "an operator object as key",
    request: get(`/v1/devices/pump-1/readings?key=${encodeURIComponent('{"$ne":null}')}`),
    status: 400,
  },
  {
    name: "a forged cursor",
    request: get(`/v1/devices/pump-1/readings?cursor=${btoa('{"v":1,"k":{"$gt":""}}')}`),
    status: 400,
    says: "cursor",
  },
  { name: "limit=0", request: get("/v1/devices/pump-1/readings?limit=0"), status: 400, says: "limit" },
  {
    name: "from after to",
    request: get("/v1/devices/pump-1/readings?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z"),
    status: 400,
  },
  { name: "another tenant's device", request: get("/v1/devices/pump-1/latest", keys.otherTenant), status: 404 },
  { name: "another tenant's readings", request: get("/v1/devices/pump-1/readings", keys.otherTenant), status: 404 },
  {
    name: "a device key reading another device",
    request: get("/v1/devices/retired-1/readings", keys.device),
    status: 403,
  },
  { name: "reads without a credential", request: get("/v1/devices/pump-1/latest", null), status: 401 },
];
