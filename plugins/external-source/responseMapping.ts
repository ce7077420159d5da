/**
 * The declarative mapping from a source's answer to enrichment values: each enrichment
 * key names an RFC 6901 JSON pointer into the document. Only scalars are taken (finite
 * numbers, booleans, strings up to 256 characters); a pointer that finds nothing, or
 * finds an object, an array or null, leaves its key out and is reported missing.
 */
import type { EnrichmentValue } from "./TelemetryEnriched.ts";

const maxStringLength = 256;

/**
 * The value a JSON pointer points at, or undefined.
 *
 * @example
 * resolvePointer({ main: { temp: 12.5 }, list: [{ id: 7 }] }, "/list/0/id") // 7
 * resolvePointer({ "a/b": 1 }, "/a~1b") // 1
 * resolvePointer({ a: 1 }, "") // { a: 1 }
 */
export const resolvePointer = (document: unknown, pointer: string): unknown => {
  if (pointer === "") return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
};

const asEnrichmentValue = (value: unknown): EnrichmentValue | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return value.slice(0, maxStringLength);
  return undefined;
};

export interface MappedEnrichment {
  readonly values: Readonly<Record<string, EnrichmentValue>>;
  /** Keys whose pointer found no scalar. */
  readonly missing: ReadonlyArray<string>;
}

/**
 * @example
 * applyMapping({ outside_temp: "/temperature_c", wind: "/wind/speed" }, { temperature_c: 12.5 })
 * // { values: { outside_temp: 12.5 }, missing: ["wind"] }
 */
export const applyMapping = (mapping: Readonly<Record<string, string>>, document: unknown): MappedEnrichment => {
  const values: Record<string, EnrichmentValue> = {};
  const missing: Array<string> = [];
  for (const [key, pointer] of Object.entries(mapping)) {
    const value = asEnrichmentValue(resolvePointer(document, pointer));
    if (value === undefined) missing.push(key);
    else values[key] = value;
  }
  return { values, missing };
};
