/**
 * OutboundHttp on Node against the external-source simulator on real sockets: what it
 * refuses (before connecting), what it pins, how it follows redirects, and its limits.
 * Host names other than localhost come from an injected resolver, so DNS answers are
 * whatever a test needs (including one that changes between lookups).
 */
import { assert, describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { afterAll } from "vitest";
import type { OutboundError } from "../../core/outbound/Errors.ts";
import { type OutboundRequest, responseJson } from "../../core/outbound/OutboundHttp.ts";
import {
  defaultOutboundPolicy,
  type OutboundPolicy,
  parseAddressRanges,
  parseHostPatterns,
} from "../../core/outbound/outboundPolicy.ts";
import { startExternalSourceSimulator } from "../../services/external-source-simulator/startExternalSourceSimulator.ts";
import { makeOutboundHttpNode } from "../../services/runtime/outboundHttpNode.ts";
import { freePort } from "../harness/platformProcess.ts";

const simulator = await startExternalSourceSimulator();
const port = Number(new URL(simulator.url).port);
const closedPort = await freePort();
afterAll(() => simulator.close());

const dnsAnswers = new Map<string, Array<ReadonlyArray<string>>>();
const lookups: Array<string> = [];
const resolve = async (hostname: string): Promise<ReadonlyArray<string>> => {
  lookups.push(hostname);
  if (hostname === "localhost") return ["127.0.0.1"];
  const answers = dnsAnswers.get(hostname);
  const answer = answers && answers.length > 1 ? answers.shift() : answers?.[0];
  if (answer === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return answer;
};

const policy = (overrides: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  ...defaultOutboundPolicy,
  // Every host may be named; the addresses decide. Only the simulator's address:port is excepted.
  allowHosts: parseHostPatterns(["*"]),
  allowPrivate: parseAddressRanges([`127.0.0.1:${port}`]),
  ...overrides,
});

const send = (request: OutboundRequest, overrides: Partial<OutboundPolicy> = {}) =>
  makeOutboundHttpNode(policy(overrides), { resolve }).request(request);

const failure = (request: OutboundRequest, overrides: Partial<OutboundPolicy> = {}) =>
  Effect.flip(send(request, overrides)) as Effect.Effect<OutboundError>;

const weatherCount = () => simulator.stats().byPath["/weather"] ?? 0;

describe("OutboundHttp on Node", () => {
  it.live("given the simulator excepted, when its weather is requested, then the JSON comes back", () =>
    Effect.gen(function* () {
      const response = yield* send({
        url: `${simulator.url}/weather?lat=52.52&lon=13.4`,
        headers: { "x-api-key": Redacted.make("s3cret") },
      });
      assert.strictEqual(response.status, 200);
      const document = responseJson(response);
      assert.isTrue(document._tag === "Success");
      expect(document._tag === "Success" && document.success).toMatchObject({ location: { lat: 52.52, lon: 13.4 } });
    }),
  );

  it.live("given a host not on the allow-list, when requested, then it is refused before any lookup", () =>
    Effect.gen(function* () {
      lookups.length = 0;
      const error = yield* failure(
        { url: "http://api.weather.example/now" },
        { allowHosts: parseHostPatterns([`127.0.0.1:${port}`]) },
      );
      assert.strictEqual(error._tag, "OutboundRefused");
      expect(error._tag === "OutboundRefused" && error.reason).toBe("host api.weather.example is not allow-listed");
      assert.deepStrictEqual(lookups, []);
    }),
  );

  it.live("given 127.0.0.1 on another port and 169.254.169.254, when requested, then both are refused", () =>
    Effect.gen(function* () {
      const loopback = yield* failure({ url: `http://127.0.0.1:${closedPort}/` });
      expect(loopback).toMatchObject({ _tag: "OutboundRefused", reason: "127.0.0.1 is a loopback address" });
      const metadata = yield* failure({ url: "http://169.254.169.254/latest/meta-data/iam/" });
      expect(metadata).toMatchObject({ _tag: "OutboundRefused", reason: "169.254.169.254 is a link-local address" });
      const mapped = yield* failure({ url: "http://[::ffff:169.254.169.254]/" });
      expect(mapped._tag).toBe("OutboundRefused");
    }),
  );

  it.live("given names resolving to private addresses, when requested, then they are refused after the lookup", () =>
    Effect.gen(function* () {
      dnsAnswers.set("internal.example.test", [["10.0.0.5"]]);
      dnsAnswers.set("mixed.example.test", [["93.184.216.34", "192.168.1.1"]]);
      expect(yield* failure({ url: "http://internal.example.test/" })).toMatchObject({
        _tag: "OutboundRefused",
        reason: "internal.example.test resolves to 10.0.0.5, a private address",
      });
      expect(yield* failure({ url: "http://mixed.example.test/" })).toMatchObject({ _tag: "OutboundRefused" });
      expect(yield* failure({ url: `http://localhost:${closedPort}/` })).toMatchObject({
        reason: "localhost resolves to 127.0.0.1, a loopback address",
      });
    }),
  );

  it.live("given a name whose answer changes after the check, when requested, then the checked address is used", () =>
    Effect.gen(function* () {
      // First lookup: the simulator. Any later one: a private address (DNS rebinding).
      dnsAnswers.set("rebind.example.test", [["127.0.0.1"], ["10.0.0.9"]]);
      lookups.length = 0;
      const before = weatherCount();
      const response = yield* send({ url: `http://rebind.example.test:${port}/weather?lat=1&lon=2` });
      assert.strictEqual(response.status, 200);
      assert.strictEqual(weatherCount(), before + 1);
      assert.deepStrictEqual(lookups, ["rebind.example.test"]);
      // A redirect back to the same name is looked up again, gets the private answer, and is refused.
      const redirect = `${simulator.url}/redirect?to=${encodeURIComponent(`http://rebind.example.test:${port}/weather?lat=1&lon=2`)}`;
      expect(yield* failure({ url: redirect })).toMatchObject({
        _tag: "OutboundRefused",
        reason: "redirect: rebind.example.test resolves to 10.0.0.9, a private address",
      });
    }),
  );

  it.live("given redirects, when followed, then each hop is checked and forbidden targets are refused", () =>
    Effect.gen(function* () {
      const via = (to: string, status = 302) =>
        `${simulator.url}/redirect?status=${status}&to=${encodeURIComponent(to)}`;
      const followed = yield* send({ url: via("/weather?lat=3&lon=4", 307) });
      assert.strictEqual(followed.status, 200);
      assert.strictEqual(followed.redirects.length, 1);
      expect(yield* failure({ url: via("http://169.254.169.254/latest/meta-data/") })).toMatchObject({
        _tag: "OutboundRefused",
        reason: "redirect: 169.254.169.254 is a link-local address",
      });
      expect(yield* failure({ url: via(`http://127.0.0.1:${closedPort}/`) })).toMatchObject({
        reason: "redirect: 127.0.0.1 is a loopback address",
      });
      expect(yield* failure({ url: via(via("/weather?lat=1&lon=1")) }, { maxRedirects: 1 })).toMatchObject({
        reason: "more than 1 redirects",
      });
    }),
  );

  it.live("given a body over the limit, when read, then the transfer stops with a size error", () =>
    Effect.gen(function* () {
      const limit = { maxResponseBytes: 64 * 1024 };
      const declared = yield* failure({ url: `${simulator.url}/big?bytes=1048576` }, limit);
      expect(declared).toMatchObject({ _tag: "OutboundResponseTooLarge", limitBytes: 65536 });
      const streamed = yield* failure({ url: `${simulator.url}/big?bytes=1048576&chunked=true` }, limit);
      expect(streamed._tag).toBe("OutboundResponseTooLarge");
      const fits = yield* send({ url: `${simulator.url}/big?bytes=1000&chunked=true` }, limit);
      assert.strictEqual(fits.body.length, 1000);
    }),
  );

  it.live("given a source that hangs, when the deadline passes, then the request times out", () =>
    Effect.gen(function* () {
      const error = yield* failure({ url: `${simulator.url}/slow?ms=5000`, timeoutMs: 200 });
      expect(error).toMatchObject({ _tag: "OutboundTimeout", timeoutMs: 200 });
    }),
  );

  it.live("given a closed port that is excepted, when requested, then the failure is 'unreachable'", () =>
    Effect.gen(function* () {
      const error = yield* failure(
        { url: `http://127.0.0.1:${closedPort}/` },
        { allowPrivate: parseAddressRanges([`127.0.0.1:${closedPort}`]) },
      );
      expect(error).toMatchObject({ _tag: "OutboundUnreachable", reason: "connection failed: ECONNREFUSED" });
    }),
  );
});
