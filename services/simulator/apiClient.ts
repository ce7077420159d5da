/**
 * The few Anansky API calls the simulator makes (see notes/api-contract.md), over fetch.
 * Provisioning calls throw on failure; telemetry calls never throw but report an outcome,
 * because under load a failed request is a measurement, not an error.
 */
import type { ReadingV1, ReadingV2 } from "./batching.ts";

/** A key as the API shows it once at creation. */
export interface IssuedKey {
  readonly keyId: string;
  readonly key: string;
}

export interface DeviceRegistration {
  readonly deviceId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly tags: ReadonlyArray<string>;
}

/** What one telemetry request came to. `status` is the HTTP status, or why there was none. */
export interface TelemetryOutcome {
  readonly status: number | "timeout" | "network";
  readonly latencyMs: number;
  readonly accepted: number;
  readonly rejected: number;
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class ApiUnreachable extends Error {
  override readonly name = "ApiUnreachable";
}

/** The API answered a provisioning call with an unexpected status. */
export class ApiRequestFailed extends Error {
  override readonly name = "ApiRequestFailed";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface AnanskyClientOptions {
  /** Where the API listens, e.g. http://127.0.0.1:8080. Nothing else is ever called. */
  readonly baseUrl: string;
  readonly requestTimeoutMs?: number;
  /** Swappable for tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
}

export type AnanskyClient = ReturnType<typeof createAnanskyClient>;

const describeProblem = (body: unknown): string => {
  const problem = (body ?? {}) as { title?: unknown; detail?: unknown };
  return [problem.title, problem.detail].filter((part) => typeof part === "string" && part !== "").join(": ");
};

// fetch reports "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is in the cause.
const networkReason = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const parts = [cause?.code, cause?.message].filter((part) => typeof part === "string" && part !== "");
  return parts.length > 0 ? parts.join(" ") : error instanceof Error ? error.message : String(error);
};

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");

/**
 * @example
 * const api = createAnanskyClient({ baseUrl: "http://127.0.0.1:8080" });
 * await api.createTenant(adminToken, { tenantId: "acme", name: "acme" });
 * const outcome = await api.sendTelemetry(deviceKey, [{ ts: Date.now(), values: { temperature: 21.5 } }], 2);
 */
export const createAnanskyClient = (options: AnanskyClientOptions) => {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  const request = (method: string, path: string, credential: string | undefined, body?: unknown): Promise<Response> =>
    fetchImpl(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
        "user-agent": "anansky-simulator",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });

  /** A provisioning call: the parsed body on an expected status, else a typed error. */
  const call = async (
    method: string,
    path: string,
    credential: string | undefined,
    expected: ReadonlyArray<number>,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> => {
    let response: Response;
    try {
      response = await request(method, path, credential, body);
    } catch (error) {
      throw new ApiUnreachable(`cannot reach the API at ${baseUrl} (${method} ${path}): ${networkReason(error)}`, {
        cause: error,
      });
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!expected.includes(response.status)) {
      throw new ApiRequestFailed(
        response.status,
        `${method} ${path} answered ${response.status} ${describeProblem(parsed) || response.statusText}`,
      );
    }
    return { status: response.status, body: parsed };
  };

  return {
    /** Fails with ApiUnreachable when nothing answers at baseUrl; any HTTP answer will do. */
    checkReachable: async (): Promise<void> => {
      try {
        const response = await request("GET", "/healthz", undefined);
        await response.body?.cancel();
      } catch (error) {
        throw new ApiUnreachable(`cannot reach the API at ${baseUrl}: ${networkReason(error)}`, { cause: error });
      }
    },

    /** 409 (the tenant exists already) counts as success. */
    createTenant: async (adminToken: string, tenant: { tenantId: string; name: string }) => {
      const { status } = await call("POST", "/admin/tenants", adminToken, [201, 409], tenant);
      return status === 201 ? ("created" as const) : ("exists" as const);
    },

    createTenantKey: async (adminToken: string, tenantId: string): Promise<IssuedKey> =>
      (await call("POST", `/admin/tenants/${encodeURIComponent(tenantId)}/keys`, adminToken, [201])).body as IssuedKey,

    /** Throws ApiRequestFailed with status 409 when the device id is taken. */
    registerDevice: async (tenantKey: string, device: DeviceRegistration) => {
      const { body } = await call("POST", "/v1/devices", tenantKey, [201], device);
      return body as { device: { deviceId: string }; key: IssuedKey };
    },

    /** A new key for an existing device, e.g. when the keys file was lost. */
    issueDeviceKey: async (tenantKey: string, deviceId: string): Promise<IssuedKey> =>
      (await call("POST", `/v1/devices/${encodeURIComponent(deviceId)}/keys`, tenantKey, [201])).body as IssuedKey,

    /** Posts one device's batch; v1 bodies go to `?version=1` to be upcast. Never throws. */
    sendTelemetry: async (
      deviceKey: string,
      readings: ReadonlyArray<ReadingV2> | ReadonlyArray<ReadingV1>,
      payloadVersion: 1 | 2,
    ): Promise<TelemetryOutcome> => {
      const path = payloadVersion === 1 ? "/v1/telemetry?version=1" : "/v1/telemetry";
      const startedAt = performance.now();
      try {
        const response = await request("POST", path, deviceKey, readings);
        const body = (await response.json().catch(() => ({}))) as { accepted?: unknown; rejected?: unknown };
        const latencyMs = performance.now() - startedAt;
        if (response.status === 202) {
          const accepted = typeof body.accepted === "number" ? body.accepted : 0;
          const rejected = Array.isArray(body.rejected) ? body.rejected.length : readings.length - accepted;
          return { status: 202, latencyMs, accepted, rejected };
        }
        // 400 on a batch means every reading in it was refused.
        const rejected = response.status === 400 ? readings.length : 0;
        return { status: response.status, latencyMs, accepted: 0, rejected };
      } catch (error) {
        const latencyMs = performance.now() - startedAt;
        return { status: isTimeout(error) ? "timeout" : "network", latencyMs, accepted: 0, rejected: 0 };
      }
    },
  };
};
