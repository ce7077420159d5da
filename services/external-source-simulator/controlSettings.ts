/**
 * The simulator's run-time behaviour switches: what `POST /_control` accepts and `GET /_control`
 * answers. Validated strictly (unknown keys rejected) so a typo in a test fails loudly instead of
 * silently injecting nothing.
 */

/** How an outage fails: answer `statusCode`, never answer, or reset the TCP connection. */
export type OutageMode = "status" | "hang" | "reset";

/** The full set of switches in force. */
export interface ControlSettings {
  /** Delay added before every simulated answer (and before an injected failure). */
  readonly latencyMs: number;
  /** Probability (0..1) that a request fails with `statusCode`, drawn from a sequence seeded by `seed`. */
  readonly errorRate: number;
  /** Seed of the error-rate sequence; setting `seed` or `errorRate` restarts the sequence. */
  readonly seed: number;
  /** When true every simulated request fails the way `outageMode` says. */
  readonly outage: boolean;
  readonly outageMode: OutageMode;
  /** Status of injected failures (error rate and outage mode "status"), 400..599. */
  readonly statusCode: number;
}

/** A partial update: fields present replace the current ones, the rest stay. */
export type ControlSettingsPatch = Partial<ControlSettings>;

/** Longest latency or `/slow` wait accepted: ten minutes, far beyond any client timeout. */
export const maxWaitMs = 600_000;

/**
 * The settings the simulator starts with, and returns to on `POST /_control/reset`.
 *
 * @example
 * defaultControlSettings(7) // { latencyMs: 0, errorRate: 0, seed: 7, outage: false, outageMode: "status", statusCode: 503 }
 */
export const defaultControlSettings = (seed: number): ControlSettings => ({
  latencyMs: 0,
  errorRate: 0,
  seed,
  outage: false,
  outageMode: "status",
  statusCode: 503,
});

/**
 * Thrown for a control update the simulator refuses; `POST /_control` turns it into a 400.
 *
 * @example
 * expect(() => simulator.control({ errorRate: 2 })).toThrow(InvalidControlSettings);
 */
export class InvalidControlSettings extends Error {
  override readonly name = "InvalidControlSettings";
}

const outageModes: ReadonlyArray<OutageMode> = ["status", "hang", "reset"];

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value);

const checks: { readonly [K in keyof ControlSettings]: (value: unknown) => string | undefined } = {
  latencyMs: (v) => (isInteger(v) && v >= 0 && v <= maxWaitMs ? undefined : `an integer from 0 to ${maxWaitMs}`),
  errorRate: (v) => (typeof v === "number" && v >= 0 && v <= 1 ? undefined : "a number from 0 to 1"),
  seed: (v) => (isInteger(v) ? undefined : "an integer"),
  outage: (v) => (typeof v === "boolean" ? undefined : "a boolean"),
  outageMode: (v) => (outageModes.includes(v as OutageMode) ? undefined : `one of ${outageModes.join(", ")}`),
  statusCode: (v) => (isInteger(v) && v >= 400 && v <= 599 ? undefined : "an integer from 400 to 599"),
};

/**
 * Checks an untrusted update (a request body, a test's argument) and returns it typed.
 * Every problem is reported at once.
 *
 * @example
 * parseControlSettingsPatch({ outage: true, outageMode: "hang" }) // ok
 * parseControlSettingsPatch({ errorrate: 0.5 }) // throws InvalidControlSettings: errorrate: unknown setting
 */
export const parseControlSettingsPatch = (input: unknown): ControlSettingsPatch => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidControlSettings("control settings must be a JSON object");
  }
  const problems: Array<string> = [];
  for (const [key, value] of Object.entries(input)) {
    const check = (checks as Record<string, ((value: unknown) => string | undefined) | undefined>)[key];
    if (check === undefined) {
      problems.push(`${key}: unknown setting (known: ${Object.keys(checks).join(", ")})`);
    } else {
      const expected = check(value);
      if (expected !== undefined) problems.push(`${key}: expected ${expected}, got ${JSON.stringify(value)}`);
    }
  }
  if (problems.length > 0) throw new InvalidControlSettings(problems.join("; "));
  return input as ControlSettingsPatch;
};
