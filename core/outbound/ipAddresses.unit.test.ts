import { describe, expect, it } from "@effect/vitest";
import {
  type AddressClass,
  classifyAddress,
  embeddedIpv4,
  formatIpAddress,
  type IpAddress,
  inAddressRange,
  parseAddressRange,
  parseIpAddress,
} from "./ipAddresses.ts";

const ip = (text: string): IpAddress => {
  const parsed = parseIpAddress(text);
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`);
  return parsed;
};

const classes: ReadonlyArray<readonly [string, AddressClass]> = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.10", "private"],
  ["100.64.0.1", "private"],
  ["169.254.169.254", "link-local"],
  ["0.0.0.0", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["255.255.255.255", "reserved"],
  ["198.18.0.1", "reserved"],
  ["93.184.216.34", "public"],
  ["172.32.0.1", "public"],
  ["::1", "loopback"],
  ["::", "unspecified"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["fd12:3456::1", "unique-local"],
  ["fc00::1", "unique-local"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "reserved"],
  ["2606:4700:4700::1111", "public"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:93.184.216.34", "public"],
  ["::127.0.0.1", "loopback"],
  ["64:ff9b::10.0.0.1", "private"],
  ["2002:a00:1::", "private"],
  ["2002:5db8:d822::", "public"],
  ["4000::1", "reserved"],
];

describe("IP address classification", () => {
  it.each(classes)("given %s, when classified, then it is %s", (text, expected) => {
    expect(classifyAddress(ip(text))).toBe(expected);
  });

  it("given a bracketed IPv6 literal as URLs write it, when parsed, then it is the same address", () => {
    expect(formatIpAddress(ip("[::1]"))).toBe("0:0:0:0:0:0:0:1");
  });

  it("given odd or invalid forms, when parsed, then they are not addresses", () => {
    for (const text of ["example.com", "1.2.3", "01.2.3.4", "256.1.1.1", "1:2:3:4:5:6:7:8:9", "1::2::3", "::g", ""]) {
      expect(parseIpAddress(text), text).toBeUndefined();
    }
  });

  it("given an IPv4-mapped IPv6 address, when unwrapped, then the IPv4 address comes out", () => {
    expect(formatIpAddress(embeddedIpv4(ip("::ffff:192.168.0.1")) ?? ip("0.0.0.0"))).toBe("192.168.0.1");
    expect(embeddedIpv4(ip("::1"))).toBeUndefined();
  });
});

describe("address ranges", () => {
  it("given a CIDR range, when addresses are matched, then only those inside match", () => {
    const range = parseAddressRange("10.0.0.0/8");
    expect(range).toBeDefined();
    if (range === undefined) return;
    expect(inAddressRange(range, ip("10.200.1.1"), 80)).toBe(true);
    expect(inAddressRange(range, ip("11.0.0.1"), 80)).toBe(false);
    expect(inAddressRange(range, ip("::ffff:10.0.0.1"), 80)).toBe(true);
  });

  it("given a range with a port, when matched, then other ports do not match", () => {
    const range = parseAddressRange("127.0.0.1:18090");
    expect(range?.port).toBe(18090);
    if (range === undefined) return;
    expect(inAddressRange(range, ip("127.0.0.1"), 18090)).toBe(true);
    expect(inAddressRange(range, ip("127.0.0.1"), 18091)).toBe(false);
    expect(inAddressRange(range, ip("127.0.0.2"), 18090)).toBe(false);
  });

  it("given IPv6 ranges, when parsed, then brackets carry a port and bare ones none", () => {
    expect(parseAddressRange("[::1]:8080")?.port).toBe(8080);
    expect(parseAddressRange("fd00::/8")?.prefixLength).toBe(8);
    expect(parseAddressRange("[fd00::/8]:443")?.port).toBe(443);
  });

  it("given malformed ranges, when parsed, then they are refused", () => {
    for (const text of ["10.0.0.0/33", "10.0.0.0/8/1", "example.com", "127.0.0.1:0", "127.0.0.1:99999", "::1/129"]) {
      expect(parseAddressRange(text), text).toBeUndefined();
    }
  });
});
