/**
 * PATCH /v1/devices/{deviceId}: the body and how it applies. `attributes` follows JSON
 * Merge Patch (RFC 7396): named attributes are set, `null` removes one, others stay;
 * `tags` replaces the list; `name` replaces the name.
 */
import { Effect, Schema } from "effect";
import { ValidationFailed } from "../../core/index.ts";
import { AttributeName, AttributeValue, DisplayName, distinct, maxAttributes, Tags } from "./deviceFields.ts";

export const DevicePatchBody = Schema.Struct({
  name: Schema.optionalKey(DisplayName),
  attributes: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.NullOr(AttributeValue)).check(
      // Up to 50 removals and 50 additions; the merged result is checked against 50 below.
      Schema.isMaxProperties(maxAttributes * 2),
      Schema.isPropertyNames(AttributeName),
    ),
  ),
  tags: Schema.optionalKey(Tags),
});
export type DevicePatch = typeof DevicePatchBody.Type;

type Attributes = Readonly<Record<string, AttributeValue>>;

const sameAttributes = (a: Attributes, b: Attributes): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
};

/**
 * `{attributes}` with the merged attributes when they differ from `current`, else `{}`;
 * fails when the result would exceed 50 attributes.
 *
 * @example
 * yield* attributeChanges({ floor: 2, room: "b" }, { floor: 3, room: null }) // { attributes: { floor: 3 } }
 */
export const attributeChanges = (
  current: Attributes,
  patch: DevicePatch["attributes"],
): Effect.Effect<{ readonly attributes?: Attributes }, ValidationFailed> => {
  if (patch === undefined) return Effect.succeed({});
  // A Map, not object assignment: a key can never reach a prototype.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  if (merged.size > maxAttributes) {
    return Effect.fail(
      new ValidationFailed({
        detail: "the request does not match its schema",
        errors: [
          {
            field: "attributes",
            reason: `a device has at most ${maxAttributes} attributes, this would make ${merged.size}`,
          },
        ],
      }),
    );
  }
  const attributes = Object.fromEntries(merged);
  return Effect.succeed(sameAttributes(current, attributes) ? {} : { attributes });
};

/**
 * `{tags}` (duplicates dropped) when they differ from `current`, else `{}`.
 *
 * @example
 * tagChanges(["a"], ["a", "b", "a"]) // { tags: ["a", "b"] }
 */
export const tagChanges = (
  current: ReadonlyArray<string>,
  patch: ReadonlyArray<string> | undefined,
): { readonly tags?: ReadonlyArray<string> } => {
  if (patch === undefined) return {};
  const tags = distinct(patch);
  const same = tags.length === current.length && tags.every((tag, index) => tag === current[index]);
  return same ? {} : { tags };
};
