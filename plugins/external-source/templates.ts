/**
 * Templates over a reading and its device: `{deviceId}`, `{ts}`, `{attributes.lat}`,
 * `{values.temp}`, with an optional `|round:N` (N decimals, 0..6) so that nearby
 * coordinates share one URL and one cache entry. `{{` and `}}` are literal braces.
 * A placeholder whose value is missing makes the expansion fail with the reason, and
 * the source is then reported unavailable for that reading.
 */
import { Result } from "effect";
import type { SourceReading } from "./SourceKind.ts";

export type TemplateField =
  | { readonly _tag: "DeviceId" }
  | { readonly _tag: "Ts" }
  | { readonly _tag: "Attribute"; readonly name: string }
  | { readonly _tag: "Value"; readonly name: string };

export type TemplatePart =
  | { readonly _tag: "Text"; readonly text: string }
  | {
      readonly _tag: "Field";
      readonly field: TemplateField;
      readonly round?: number | undefined;
      readonly raw: string;
    };

export type Template = ReadonlyArray<TemplatePart>;

const fieldPattern =
  /^(deviceId|ts|attributes\.([A-Za-z0-9_:-]{1,64})|values\.([A-Za-z0-9_.-]{1,64}))(\|round:([0-6]))?$/;

const parseField = (raw: string): TemplatePart | string => {
  const match = fieldPattern.exec(raw);
  if (match === null) {
    return `unknown placeholder {${raw}}: use {deviceId}, {ts}, {attributes.<name>} or {values.<key>}, optionally |round:N`;
  }
  const [, head, attribute, value, , round] = match;
  const field: TemplateField =
    head === "deviceId"
      ? { _tag: "DeviceId" }
      : head === "ts"
        ? { _tag: "Ts" }
        : attribute !== undefined
          ? { _tag: "Attribute", name: attribute }
          : { _tag: "Value", name: value ?? "" };
  return { _tag: "Field", field, round: round === undefined ? undefined : Number(round), raw };
};

/**
 * @example
 * parseTemplate("https://w.example/now?lat={attributes.lat|round:2}") // Result.succeed([Text, Field])
 * parseTemplate("{attributes.lat") // Result.fail("unclosed { at 0")
 */
export const parseTemplate = (template: string): Result.Result<Template, string> => {
  const parts: Array<TemplatePart> = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const rest = template.slice(i);
    if (rest.startsWith("{{") || rest.startsWith("}}")) {
      text += rest[0];
      i += 2;
    } else if (rest[0] === "}") {
      return Result.fail(`unmatched } at ${i}`);
    } else if (rest[0] === "{") {
      const end = rest.indexOf("}");
      if (end < 0) return Result.fail(`unclosed { at ${i}`);
      const part = parseField(rest.slice(1, end));
      if (typeof part === "string") return Result.fail(part);
      if (text !== "") parts.push({ _tag: "Text", text });
      text = "";
      parts.push(part);
      i += end + 1;
    } else {
      text += rest[0];
      i += 1;
    }
  }
  if (text !== "") parts.push({ _tag: "Text", text });
  return Result.succeed(parts);
};

type Scalar = string | number | boolean;

const describe = (field: TemplateField): string =>
  field._tag === "DeviceId"
    ? "deviceId"
    : field._tag === "Ts"
      ? "ts"
      : field._tag === "Attribute"
        ? `attribute ${field.name}`
        : `value ${field.name}`;

/**
 * The value of one placeholder for a reading (rounded when asked), or why there is none.
 *
 * @example
 * fieldValue({ _tag: "Field", field: { _tag: "Attribute", name: "lat" }, round: 1, raw: "" }, reading) // Result.succeed(52.5)
 */
export const fieldValue = (
  part: Extract<TemplatePart, { _tag: "Field" }>,
  reading: SourceReading,
): Result.Result<Scalar, string> => {
  const { field } = part;
  const value: Scalar | undefined =
    field._tag === "DeviceId"
      ? reading.deviceId
      : field._tag === "Ts"
        ? reading.ts
        : field._tag === "Attribute"
          ? reading.attributes[field.name]
          : reading.values[field.name];
  if (value === undefined) {
    return Result.fail(
      `${describe(field)} is missing${field._tag === "Attribute" ? " on the device" : " in the reading"}`,
    );
  }
  if (part.round === undefined) return Result.succeed(value);
  if (typeof value !== "number") return Result.fail(`${describe(field)} is not a number, so it cannot be rounded`);
  return Result.succeed(Number(value.toFixed(part.round)));
};

/**
 * Expands a template into text, each value passed through `encode` (URLs:
 * encodeURIComponent).
 *
 * @example
 * expandTemplate(template, reading, encodeURIComponent) // Result.succeed("https://w.example/now?lat=52.52")
 */
export const expandTemplate = (
  template: Template,
  reading: SourceReading,
  encode: (text: string) => string = (text) => text,
): Result.Result<string, string> => {
  let out = "";
  for (const part of template) {
    if (part._tag === "Text") {
      out += part.text;
      continue;
    }
    const value = fieldValue(part, reading);
    if (Result.isFailure(value)) return Result.fail(value.failure);
    out += encode(String(value.success));
  }
  return Result.succeed(out);
};

/**
 * Expands every string of a JSON value. A string that is one placeholder only keeps
 * the value's type (`"{values.temp}"` becomes 21.5, not "21.5").
 *
 * @example
 * expandJsonTemplate({ lat: "{attributes.lat}", note: "device {deviceId}" }, reading)
 * // Result.succeed({ lat: 52.52, note: "device pump-1" })
 */
export const expandJsonTemplate = (value: unknown, reading: SourceReading): Result.Result<unknown, string> => {
  if (typeof value === "string") {
    return Result.flatMap(parseTemplate(value), (template) => {
      const only = template.length === 1 ? template[0] : undefined;
      return only?._tag === "Field" ? fieldValue(only, reading) : expandTemplate(template, reading);
    });
  }
  if (Array.isArray(value)) {
    return Result.all(value.map((item) => expandJsonTemplate(item, reading)));
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([key, item]) =>
      Result.map(expandJsonTemplate(item, reading), (expanded) => [key, expanded] as const),
    );
    return Result.map(Result.all(entries), (pairs) => Object.fromEntries(pairs));
  }
  return Result.succeed(value);
};
