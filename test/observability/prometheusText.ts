/**
 * Reads the Prometheus text format back into samples, so tests can ask for a series by
 * name and labels.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * @example
 * const samples = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
 */
export const parsePrometheus = (text: string): ReadonlyArray<Sample> =>
  text.split("\n").flatMap((line) => {
    const match = line.startsWith("#") ? null : sampleLine.exec(line);
    if (match === null) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(labelPair)) if (key !== undefined) labels[key] = value ?? "";
    return [{ name: match[1] ?? "", labels, value: Number(match[3]) }];
  });

/**
 * The sum of the samples named `name` whose labels include `labels`; undefined when none.
 *
 * @example
 * seriesValue(samples, "anansky_events_appended_total", { event_type: "RelayRequested" }); // 3
 */
export const seriesValue = (
  samples: ReadonlyArray<Sample>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined => {
  const matching = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
};
