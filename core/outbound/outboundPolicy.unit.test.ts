import { describe, expect, it } from "@effect/vitest";
import { Result, Schema } from "effect";
import { isHostAllowed, parseHostPattern } from "./hostPatterns.ts";
import {
  checkAddress,
  checkDestination,
  defaultOutboundPolicy,
  OutboundAddressRangeList,
  OutboundHostList,
  type OutboundPolicy,
  parseAddressRanges,
  parseHostPatterns,
} from "./outboundPolicy.ts";

const policy = (allowHosts: ReadonlyArray<string>, allowPrivate: ReadonlyArray<string> = []): OutboundPolicy => ({
  ...defaultOutboundPolicy,
  allowHosts: parseHostPatterns(allowHosts),
  allowPrivate: parseAddressRanges(allowPrivate),
});

const url = (text: string) => new URL(text);

describe("host allow-list", () => {
  it("given exact, wildcard and port patterns, when URLs are matched, then only listed hosts pass", () => {
    const patterns = parseHostPatterns(["api.weather.example", "*.example.org", "127.0.0.1:18090"]);
    expect(isHostAllowed(patterns, url("https://API.Weather.Example/now"))).toBe(true);
    expect(isHostAllowed(patterns, url("https://api.weather.example.evil.test/"))).toBe(false);
    expect(isHostAllowed(patterns, url("https://a.b.example.org/"))).toBe(true);
    expect(isHostAllowed(patterns, url("https://example.org/"))).toBe(false);
    expect(isHostAllowed(patterns, url("http://127.0.0.1:18090/weather"))).toBe(true);
    expect(isHostAllowed(patterns, url("http://127.0.0.1:18091/weather"))).toBe(false);
    // The URL parser turns other spellings of 127.0.0.1 into it before matching.
    expect(isHostAllowed(patterns, url("http://0x7f.0.0.1:18090/"))).toBe(true);
  });

  it("given a port pattern, when the URL uses the scheme's default port, then the default counts", () => {
    expect(isHostAllowed(parseHostPatterns(["example.com:443"]), url("https://example.com/"))).toBe(true);
    expect(isHostAllowed(parseHostPatterns(["example.com:443"]), url("http://example.com/"))).toBe(false);
  });

  it("given malformed patterns, when parsed, then they are refused", () => {
    for (const text of ["http://x.example", "x.example/path", "user@x.example", "*.", "a.*.example", "::1", ""]) {
      expect(parseHostPattern(text), text).toBeUndefined();
    }
  });
});

describe("outbound policy", () => {
  it("given nothing allow-listed, when any URL is checked, then it is refused", () => {
    expect(checkDestination(defaultOutboundPolicy, url("https://api.weather.example/"))).toBe(
      "host api.weather.example is not allow-listed",
    );
  });

  it("given 127.0.0.1 and 169.254.169.254 allow-listed as hosts, when checked, then their addresses still refuse them", () => {
    const open = policy(["*"]);
    expect(checkDestination(open, url("http://127.0.0.1:8080/"))).toBe("127.0.0.1 is a loopback address");
    expect(checkDestination(open, url("http://169.254.169.254/latest/meta-data/"))).toBe(
      "169.254.169.254 is a link-local address",
    );
    expect(checkDestination(open, url("http://[::ffff:127.0.0.1]/"))).toContain("loopback");
    expect(checkDestination(open, url("http://[fd00::1]/"))).toBe("[fd00::1] is a unique-local address");
  });

  it("given a name that resolves to a private address, when the address is checked, then it is refused", () => {
    expect(checkAddress(policy(["*"]), url("http://internal.example/"), "10.0.0.7")).toBe(
      "internal.example resolves to 10.0.0.7, a private address",
    );
    expect(checkAddress(policy(["*"]), url("http://public.example/"), "93.184.216.34")).toBeUndefined();
  });

  it("given an address excepted with a port, when checked, then only that port passes", () => {
    const local = policy(["127.0.0.1:18090", "localhost"], ["127.0.0.1:18090"]);
    expect(checkDestination(local, url("http://127.0.0.1:18090/weather"))).toBeUndefined();
    expect(checkAddress(local, url("http://localhost:18090/"), "127.0.0.1")).toBeUndefined();
    expect(checkAddress(local, url("http://localhost:18091/"), "127.0.0.1")).toContain("loopback");
    expect(checkAddress(local, url("http://localhost:18090/"), "::1")).toContain("loopback");
  });

  it("given other schemes or credentials in the URL, when checked, then they are refused", () => {
    const open = policy(["*"]);
    expect(checkDestination(open, url("file:///etc/passwd"))).toBe("scheme file: is not allowed");
    expect(checkDestination(open, url("https://user:pw@api.example/"))).toBe("credentials in the URL are not allowed");
  });

  it("given config text, when decoded, then every malformed entry is named", () => {
    const hosts = Schema.decodeUnknownResult(OutboundHostList)(" a.example , *.b.example:443 ,, ");
    expect(Result.isSuccess(hosts) && hosts.success.map((p) => p.text)).toEqual(["a.example", "*.b.example:443"]);
    const bad = Schema.decodeUnknownResult(OutboundAddressRangeList)("10.0.0.0/8,nope,1.2.3.4/40");
    expect(Result.isFailure(bad) && bad.failure.message).toContain("nope, 1.2.3.4/40");
  });
});
