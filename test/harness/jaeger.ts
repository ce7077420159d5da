/**
 * A real Jaeger for tracing tests: taken from ANANSKY_TEST_JAEGER_OTLP_URL and
 * ANANSKY_TEST_JAEGER_QUERY_URL when both are set, else the local one from
 * scripts/infra.sh, started here when needed (the first start builds it, ~5 minutes,
 * cached after) and stopped again when the file ends if this file started it.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export interface JaegerEndpoints {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:24318 (spans go to `${otlpHttpUrl}/v1/traces`). */
  readonly otlpHttpUrl: string;
  /** Query API base URL, e.g. http://127.0.0.1:26686 (`/api/traces`). */
  readonly queryUrl: string;
}

const jaegerScript = fileURLToPath(new URL("../../scripts/infra/jaeger.sh", import.meta.url));
const jaeger = (command: string): string =>
  execFileSync("bash", [jaegerScript, command], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

const isRunning = (): boolean => {
  try {
    jaeger("status");
    return true;
  } catch {
    return false;
  }
};

/**
 * Registers the file's beforeAll/afterAll; call the returned function inside tests.
 *
 * @example
 * const jaegerEndpoints = useJaeger();
 * it("…", async () => { const { queryUrl } = jaegerEndpoints(); });
 */
export const useJaeger = (): (() => JaegerEndpoints) => {
  let endpoints: JaegerEndpoints | undefined;
  let started = false;
  beforeAll(() => {
    const otlpHttpUrl = process.env.ANANSKY_TEST_JAEGER_OTLP_URL;
    const queryUrl = process.env.ANANSKY_TEST_JAEGER_QUERY_URL;
    if (otlpHttpUrl !== undefined && queryUrl !== undefined) {
      endpoints = { otlpHttpUrl, queryUrl };
      return;
    }
    if (!isRunning()) {
      jaeger("start");
      started = true;
    }
    endpoints = { otlpHttpUrl: jaeger("otlp"), queryUrl: jaeger("url") };
  }, 900_000);
  afterAll(() => {
    if (started) jaeger("stop");
  });
  return () => {
    if (endpoints === undefined) throw new Error("useJaeger: Jaeger is not up (beforeAll did not run)");
    return endpoints;
  };
};
