/**
 * `db.query.text` for MongoDB spans: the command's shape two levels deep with every
 * value masked and arrays as their length. The instrumentation's default masks values
 * too, but spells out every byte of the driver's binary document sequences (kilobytes
 * per insert).
 */

const maxLength = 1_000;

const shape = (value: unknown, depth: number): unknown => {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value !== "object" || value === null || depth >= 2) return "?";
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner, depth + 1)]));
};

/**
 * @example
 * mongoStatement({ find: "events", filter: { streamId: "device-1" }, limit: 10 });
 * // '{"find":"?","filter":{"streamId":"?"},"limit":"?"}'
 */
export const mongoStatement = (command: Record<string, unknown>): string =>
  JSON.stringify(shape(command, 0)).slice(0, maxLength);
