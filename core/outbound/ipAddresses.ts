/**
 * IP addresses as bytes, and what kind of network they belong to: the part of the
 * outbound policy that decides whether a resolved address may be connected to. Pure
 * (no DNS, no sockets), so the same rules run in every runtime and in unit tests.
 *
 * Every address that is not plainly public is refused by default: loopback, private,
 * link-local, unique-local, unspecified, multicast and reserved ranges, and IPv6 forms
 * that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged
 * by the IPv4 address they carry, so `::ffff:127.0.0.1` is loopback.
 */

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** The network an address belongs to; only "public" is reachable without an explicit exception. */
export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unique-local"
  | "unspecified"
  | "multicast"
  | "reserved";

const ipv4Part = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const ipv4Pattern = new RegExp(`^${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}$`);

const parseIpv4 = (text: string): Uint8Array | undefined =>
  ipv4Pattern.test(text) ? Uint8Array.from(text.split("."), Number) : undefined;

const parseGroups = (text: string): Array<number> | undefined => {
  if (text === "") return [];
  const groups = text.split(":");
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
};

const parseIpv6 = (input: string): Uint8Array | undefined => {
  // A zone ("fe80::1%eth0") names an interface, not a different address.
  let text = input.split("%")[0] ?? "";
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.slice(lastColon + 1).includes(".")) {
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (ipv4 === undefined) return undefined;
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hex(ipv4[0] ?? 0, ipv4[1] ?? 0)}:${hex(ipv4[2] ?? 0, ipv4[3] ?? 0)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
};

/**
 * Parses a textual IP address: dotted-decimal IPv4 (no octal or hex forms), or IPv6
 * with or without brackets, with `::`, an embedded IPv4 tail or a zone.
 *
 * @example
 * parseIpAddress("127.0.0.1") // { family: 4, bytes: [127, 0, 0, 1] }
 * parseIpAddress("[::ffff:10.0.0.1]")?.family // 6
 * parseIpAddress("example.com") // undefined
 */
export const parseIpAddress = (text: string): IpAddress | undefined => {
  const unbracketed = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const ipv4 = parseIpv4(unbracketed);
  if (ipv4 !== undefined) return { family: 4, bytes: ipv4 };
  if (!unbracketed.includes(":")) return undefined;
  const ipv6 = parseIpv6(unbracketed);
  return ipv6 === undefined ? undefined : { family: 6, bytes: ipv6 };
};

/**
 * The address in its usual text form (IPv6 fully expanded, lower case).
 *
 * @example
 * formatIpAddress(parseIpAddress("::1")!) // "0:0:0:0:0:0:0:1"
 */
export const formatIpAddress = (address: IpAddress): string => {
  if (address.family === 4) return [...address.bytes].join(".");
  const groups: Array<string> = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0)).toString(16));
  return groups.join(":");
};

/** Whether the first `prefixLength` bits of two same-family addresses agree. */
const samePrefix = (a: Uint8Array, b: Uint8Array, prefixLength: number): boolean => {
  for (let bit = 0; bit < prefixLength; bit += 8) {
    const remaining = Math.min(8, prefixLength - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    if (((a[bit / 8] ?? 0) & mask) !== ((b[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
};

/**
 * The IPv4 address an IPv6 address carries, when it is one of the forms that route
 * to IPv4: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64
 * (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`).
 *
 * @example
 * embeddedIpv4(parseIpAddress("::ffff:169.254.169.254")!) // { family: 4, bytes: [169, 254, 169, 254] }
 */
export const embeddedIpv4 = (address: IpAddress): IpAddress | undefined => {
  if (address.family === 4) return undefined;
  const b = address.bytes;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((byte) => byte === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return { family: 4, bytes: b.slice(12, 16) };
  // IPv4-compatible, except :: and ::1 (their own meaning).
  if (zeros(0, 12) && !zeros(12, 15)) return { family: 4, bytes: b.slice(12, 16) };
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    return { family: 4, bytes: b.slice(12, 16) };
  }
  if (b[0] === 0x20 && b[1] === 0x02) return { family: 4, bytes: b.slice(2, 6) };
  return undefined;
};

type RangeTable = ReadonlyArray<readonly [prefix: string, length: number, kind: AddressClass]>;

// Most specific ranges first where they overlap.
const ipv4Ranges: RangeTable = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "private"], // shared address space (carrier-grade NAT)
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"], // cloud metadata services live here
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // includes 255.255.255.255
];

const ipv6Ranges: RangeTable = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["64:ff9b:1::", 48, "private"],
  ["100::", 64, "reserved"],
  ["2001::", 23, "reserved"], // Teredo and other protocol assignments
  ["2001:db8::", 32, "reserved"],
  ["3fff::", 20, "reserved"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "private"], // deprecated site-local
  ["ff00::", 8, "multicast"],
];

const compiled = (table: RangeTable) =>
  table.map(([prefix, length, kind]) => ({ bytes: parseIpAddress(prefix)?.bytes ?? new Uint8Array(), length, kind }));
const ipv4Table = compiled(ipv4Ranges);
const ipv6Table = compiled(ipv6Ranges);
const globalUnicast = parseIpAddress("2000::")?.bytes ?? new Uint8Array(16);

/**
 * The network an address belongs to.
 *
 * @example
 * classifyAddress(parseIpAddress("169.254.169.254")!) // "link-local"
 * classifyAddress(parseIpAddress("::ffff:127.0.0.1")!) // "loopback"
 * classifyAddress(parseIpAddress("fd12::1")!) // "unique-local"
 * classifyAddress(parseIpAddress("93.184.216.34")!) // "public"
 */
export const classifyAddress = (address: IpAddress): AddressClass => {
  const carried = embeddedIpv4(address);
  if (carried !== undefined) return classifyAddress(carried);
  const table = address.family === 4 ? ipv4Table : ipv6Table;
  const found = table.find((range) => samePrefix(address.bytes, range.bytes, range.length));
  if (found !== undefined) return found.kind;
  // Outside 2000::/3 nothing is allocated for global unicast.
  if (address.family === 6 && !samePrefix(address.bytes, globalUnicast, 3)) return "reserved";
  return "public";
};

/** A CIDR range of addresses, optionally only one port of them. */
export interface AddressRange {
  readonly address: IpAddress;
  readonly prefixLength: number;
  readonly port?: number | undefined;
  /** As configured, for messages. */
  readonly text: string;
}

/**
 * Whether an address (and port) is in a range. IPv4 ranges also match the IPv4-mapped
 * IPv6 form of their addresses.
 *
 * @example
 * const range = parseAddressRange("10.0.0.0/8");
 * inAddressRange(range, parseIpAddress("10.1.2.3")!, 443) // true when range parsed
 */
export const inAddressRange = (range: AddressRange, address: IpAddress, port: number): boolean => {
  if (range.port !== undefined && range.port !== port) return false;
  const candidate = address.family === 6 && range.address.family === 4 ? embeddedIpv4(address) : address;
  if (candidate === undefined || candidate.family !== range.address.family) return false;
  return samePrefix(candidate.bytes, range.address.bytes, range.prefixLength);
};

const validPort = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const port = Number(text);
  return /^[0-9]{1,5}$/.test(text) && port >= 1 && port <= 65535 ? port : Number.NaN;
};

/**
 * Parses an address range: `10.0.0.0/8`, `127.0.0.1` (one address), `127.0.0.1:18090`
 * (one address, one port), `fd00::/8`, `[::1]:8080`. Undefined when malformed.
 *
 * @example
 * parseAddressRange("127.0.0.1:18090") // { prefixLength: 32, port: 18090, ... }
 * parseAddressRange("10.0.0.0/33") // undefined
 */
export const parseAddressRange = (input: string): AddressRange | undefined => {
  const text = input.trim();
  const bracketed = /^\[([^\]]+)\](?::([^:]+))?$/.exec(text);
  const ipv4WithPort = /^([0-9./]+)(?::([^:]+))?$/.exec(text);
  const [cidr, portText] = bracketed
    ? [bracketed[1] ?? "", bracketed[2]]
    : ipv4WithPort
      ? [ipv4WithPort[1] ?? "", ipv4WithPort[2]]
      : [text, undefined];
  const port = validPort(portText);
  if (Number.isNaN(port)) return undefined;
  const [addressText = "", lengthText, ...rest] = cidr.split("/");
  const address = parseIpAddress(addressText);
  if (address === undefined || rest.length > 0) return undefined;
  const maxLength = address.family === 4 ? 32 : 128;
  const prefixLength = lengthText === undefined ? maxLength : Number(lengthText);
  if (lengthText !== undefined && !/^[0-9]{1,3}$/.test(lengthText)) return undefined;
  if (!Number.isInteger(prefixLength) || prefixLength > maxLength) return undefined;
  return { address, prefixLength, port, text };
};
