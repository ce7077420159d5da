/**
 * A stand-in for the Anansky API, for the simulator's tests only: just the endpoints
 * the simulator calls, on 127.0.0.1 and an ephemeral port, recording every request.
 * Credentials are checked the way the contract says (admin token, tenant key, device key).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface StubResponse {
  readonly status: number;
  readonly body?: unknown;
}

export interface StubAnanskyApiOptions {
  readonly adminToken?: string;
  /** Replaces the default 202 for telemetry (e.g. to answer 429 or 503). */
  readonly telemetryResponse?: (request: RecordedRequest, deviceId: string) => StubResponse | undefined;
}

const readBody = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Array<Buffer> = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
};

const problem = (status: number, title: string): StubResponse => ({
  status,
  body: { type: "about:blank", title, status },
});

/**
 * @example
 * const api = await startStubAnanskyApi({ adminToken: "admin-secret" });
 * await runSimulation({ url: api.url, adminToken: "admin-secret", ... });
 * api.requests.filter((r) => r.path === "/v1/telemetry");
 * await api.close();
 */
export const startStubAnanskyApi = async (options: StubAnanskyApiOptions = {}) => {
  const adminToken = options.adminToken ?? "admin-secret";
  const requests: Array<RecordedRequest> = [];
  const tenants = new Set<string>();
  const tenantKeys = new Map<string, string>(); // key -> tenantId
  const devices = new Set<string>(); // `${tenantId}/${deviceId}`
  const deviceKeys = new Map<string, string>(); // key -> deviceId
  const issue = (prefix: string) => ({ keyId: randomUUID().slice(0, 8), key: `${prefix}${randomUUID()}` });

  const route = (recorded: RecordedRequest): StubResponse => {
    const bearer = recorded.authorization?.replace(/^Bearer /, "");
    const { method, path } = recorded;
    if (method === "GET" && path === "/healthz") return { status: 200, body: { status: "ok" } };
    if (path.startsWith("/admin/")) {
      if (bearer !== adminToken) return problem(401, "Unauthorized");
      const keysMatch = /^\/admin\/tenants\/([^/]+)\/keys$/.exec(path);
      if (method === "POST" && path === "/admin/tenants") {
        const { tenantId } = recorded.body as { tenantId: string };
        if (tenants.has(tenantId)) return problem(409, "Conflict");
        tenants.add(tenantId);
        return { status: 201, body: recorded.body };
      }
      if (method === "POST" && keysMatch?.[1] !== undefined) {
        const key = issue("ak_t_");
        tenantKeys.set(key.key, decodeURIComponent(keysMatch[1]));
        return { status: 201, body: key };
      }
      return problem(404, "Not Found");
    }
    if (method === "POST" && path === "/v1/telemetry") {
      const deviceId = bearer === undefined ? undefined : deviceKeys.get(bearer);
      if (deviceId === undefined) return problem(401, "Unauthorized");
      const custom = options.telemetryResponse?.(recorded, deviceId);
      if (custom !== undefined) return custom;
      const readings = Array.isArray(recorded.body) ? recorded.body : [recorded.body];
      return {
        status: 202,
        body: { accepted: readings.length, rejected: [], eventIds: readings.map(() => randomUUID()) },
      };
    }
    const tenantId = bearer === undefined ? undefined : tenantKeys.get(bearer);
    if (tenantId === undefined) return problem(401, "Unauthorized");
    if (method === "POST" && path === "/v1/devices") {
      const body = recorded.body as { deviceId: string };
      if (devices.has(`${tenantId}/${body.deviceId}`)) return problem(409, "Conflict");
      devices.add(`${tenantId}/${body.deviceId}`);
      const key = issue("ak_d_");
      deviceKeys.set(key.key, body.deviceId);
      return { status: 201, body: { device: { ...body, tenantId, status: "active", version: 1 }, key } };
    }
    const deviceKeyMatch = /^\/v1\/devices\/([^/]+)\/keys$/.exec(path);
    if (method === "POST" && deviceKeyMatch?.[1] !== undefined) {
      const deviceId = decodeURIComponent(deviceKeyMatch[1]);
      if (!devices.has(`${tenantId}/${deviceId}`)) return problem(404, "Not Found");
      const key = issue("ak_d_");
      deviceKeys.set(key.key, deviceId);
      return { status: 201, body: key };
    }
    return problem(404, "Not Found");
  };

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? "/", "http://stub");
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.search,
        authorization: request.headers.authorization,
        contentType: request.headers["content-type"],
        body,
      };
      requests.push(recorded);
      const { status, body: responseBody } = route(recorded);
      const type = status >= 400 ? "application/problem+json" : "application/json";
      response.writeHead(status, { "content-type": type }).end(JSON.stringify(responseBody ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Forgets every device key, as an API whose database was wiped would. */
    forgetDeviceKeys: () => deviceKeys.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
