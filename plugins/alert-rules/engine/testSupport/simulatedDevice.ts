/**
 * Test support: a device and a worker driven by Effect's Clock, so TestClock moves device
 * time. Readings are stamped with the clock's time; ticks evaluate at the clock's time, as
 * the worker's ticker does (with no lag: the simulated readings are never late).
 */
import { Clock, Effect, Ref, Schedule } from "effect";
import type { AlertTransition } from "../alertTransition.ts";
import type { ConditionRegistry } from "../conditionRegistry.ts";
import { type EngineInput, evaluate, initialState } from "../evaluateRule.ts";
import type { RuleDeviceState } from "../ruleDeviceState.ts";
import type { ReadingValue } from "../ruleFields.ts";
import type { Rule } from "../ruleSchema.ts";

interface Evaluated {
  readonly state: RuleDeviceState;
  readonly transitions: ReadonlyArray<AlertTransition>;
  readonly sent: number;
}

/**
 * @example
 * const device = yield* simulatedDevice(rule);
 * yield* device.send({ temp: 31 });
 * yield* TestClock.adjust("10 seconds");
 * yield* device.tick;
 */
export const simulatedDevice = (rule: Rule, registry?: ConditionRegistry, deviceId = "pump-1") =>
  Effect.gen(function* () {
    const evaluated = yield* Ref.make<Evaluated>({ state: initialState(rule), transitions: [], sent: 0 });
    const apply = (input: EngineInput) =>
      Ref.update(evaluated, (current) => {
        const result = evaluate(rule, current.state, input, registry);
        return { ...current, state: result.state, transitions: [...current.transitions, ...result.transitions] };
      });
    const send = (
      values: Readonly<Record<string, ReadingValue>>,
      enrichment: Readonly<Record<string, ReadingValue>> = {},
    ) =>
      Effect.gen(function* () {
        const ts = yield* Clock.currentTimeMillis;
        const { sent } = yield* Ref.updateAndGet(evaluated, (current) => ({ ...current, sent: current.sent + 1 }));
        yield* apply({ kind: "reading", eventId: `${deviceId}/${sent}`, deviceId, ts, values, enrichment });
      });
    const tick = Effect.flatMap(Clock.currentTimeMillis, (now) => apply({ kind: "tick", now }));
    return {
      send,
      tick,
      /** Ticks now and then every `everyMs`, in the background, like the worker's ticker. */
      startTicker: (everyMs: number) => Effect.forkChild(Effect.repeat(tick, Schedule.spaced(everyMs))),
      transitions: Effect.map(Ref.get(evaluated), (current) => current.transitions),
      state: Effect.map(Ref.get(evaluated), (current) => current.state),
    };
  });
