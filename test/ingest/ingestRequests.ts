/**
 * Request helpers shared by the ingest tests, in process (Hono's app.request) and over
 * real HTTP (fetch against a platform process): both take a path and a RequestInit.
 */
import { request as httpRequest } from "node:http";

export type Send = (path: string, init?: RequestInit) => Promise<Response> | Response;

export interface PostOptions {
  readonly secret?: string | undefined;
  readonly path?: string | undefined;
  readonly contentType?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * POSTs telemetry: objects are sent as JSON, strings as they are.
 *
 * @example
 * const response = await postTelemetry(send, { values: { temp: 21.5 } }, { secret });
 */
export const postTelemetry = async (send: Send, body: unknown, options: PostOptions = {}): Promise<Response> =>
  send(options.path ?? "/v1/telemetry", {
    method: "POST",
    headers: {
      ...(options.secret === undefined ? {} : { authorization: `Bearer ${options.secret}` }),
      "content-type": options.contentType ?? "application/json",
      ...options.headers,
    },
    body: typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });

/**
 * GETs a path with a bearer secret.
 *
 * @example
 * const latest = await getWith(send, "/v1/devices/pump-1/latest", tenantSecret);
 */
export const getWith = async (send: Send, path: string, secret: string | undefined): Promise<Response> =>
  send(path, { headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` } });

/** An NDJSON body from some readings. */
export const ndjson = (...lines: ReadonlyArray<unknown>) =>
  lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n");

/** The problem+json body of a response, checking its content type. */
export const problemOf = async (response: Response) => {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("application/problem+json")) {
    throw new Error(`expected problem+json, got ${type}: ${await response.text()}`);
  }
  return (await response.json()) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    errors?: Array<{ field: string; reason: string }>;
  };
};

/** The 202 body of POST /v1/telemetry. */
export interface AcceptedBody {
  readonly accepted: number;
  readonly rejected: ReadonlyArray<{ index: number; errors: ReadonlyArray<{ field: string; reason: string }> }>;
  readonly eventIds: ReadonlyArray<string>;
}

/**
 * POSTs `totalBytes` in 64 KiB chunks without Content-Length, with node:http: unlike fetch, it
 * reports a response that arrives while the body is still being sent (the 413 comes early).
 */
export const postStreamed = (baseUrl: string, secret: string, totalBytes: number) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL("/v1/telemetry", baseUrl);
    const request = httpRequest(url, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    });
    request.on("response", (incoming) => {
      const chunks: Array<Buffer> = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const headers = new Headers(incoming.headers as Record<string, string>);
        resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode ?? 0, headers }));
      });
    });
    // The server stops reading at the limit, answers 413 and closes the connection. Writing
    // on after that would race the answer (EPIPE), so stop a little past the limit, wait for
    // the answer, and only end the body if none comes.
    const pastTheLimit = Math.min(totalBytes, 1024 * 1024 + 128 * 1024);
    request.on("error", (error) => (answered ? undefined : reject(error)));
    let answered = false;
    request.on("response", () => {
      answered = true;
    });
    let sent = 0;
    const pump = () => {
      while (sent < pastTheLimit) {
        sent += 64 * 1024;
        if (!request.write("x".repeat(64 * 1024))) return void request.once("drain", pump);
      }
      setTimeout(() => answered || request.end(), 5_000).unref();
    };
    request.write('[{"values":{"a":"');
    pump();
  });
