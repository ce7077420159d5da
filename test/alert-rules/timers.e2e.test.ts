/**
 * Time in real time, end to end: a `forSeconds` rule goes pending on a reading and rises
 * when the duration has passed with no further data (the worker's timer), and an absence
 * rule fires when a device goes silent. Readings carry the server's clock; the timer ticks
 * every 500 ms, one second behind the wall clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../harness/testEnvironment.ts";
import { type AlertRulesPlatform, startAlertRulesPlatform, thresholdOn } from "./alertRulesPlatform.ts";

let platform: AlertRulesPlatform;
let tenant: { tenantId: string; key: string };

beforeAll(async () => {
  platform = await startAlertRulesPlatform("timers", {
    ANANSKY_ALERT_TICK_INTERVAL_MS: "500",
    ANANSKY_ALERT_TICK_LAG_MS: "1000",
  });
  tenant = await platform.newTenant();
});

beforeEach((context) => {
  context.onTestFailed(() => console.error(`platform output:\n${platform?.server.output()}`));
});

afterAll(async () => {
  await platform?.stop();
});

describe("timers end to end", () => {
  it("a forSeconds rule is pending, then rises once the condition held 3 s with no new reading, then resolves", async () => {
    await platform.createRule(tenant.key, thresholdOn("hot-for-3s", "oven", 30, { forSeconds: 3 }));
    const oven = await platform.registerDevice(tenant.key, "oven");
    const sentAt = Date.now();
    await platform.send(oven, [{ values: { temp: 40 } }]);
    const [pending] = await platform.alertsWhen(tenant.key, "deviceId=oven", (a) => a.length === 1);
    expect(pending.status).toBe("pending");
    const [raised] = await platform.alertsWhen(tenant.key, "deviceId=oven&status=open", (a) => a.length === 1, 20_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(3_000);
    expect(raised.alertId).toBe(pending.alertId);
    expect(Date.parse(raised.raisedAt) - Date.parse(raised.pendingAt)).toBe(3_000);

    await platform.send(oven, [{ values: { temp: 20 } }]);
    const [resolved] = await platform.alertsWhen(tenant.key, "deviceId=oven&status=history", (a) => a.length === 1);
    expect(resolved).toMatchObject({ alertId: pending.alertId, resolveReason: "cleared" });
  });

  it("an absence rule fires when a device goes silent, and resolves when it speaks again", async () => {
    await platform.createRule(tenant.key, {
      ruleId: "silent-meter",
      name: "meter silent for 3 s",
      severity: "warning",
      scope: { deviceId: "meter" },
      condition: { type: "absence", key: "kwh", seconds: 3 },
    });
    const meter = await platform.registerDevice(tenant.key, "meter");
    // Three readings one after another (server time): the silence counts from the last one.
    for (let i = 0; i < 3; i++) await platform.send(meter, [{ values: { kwh: i } }]);
    // The latest-values read model follows Kafka: wait until it shows the last reading.
    const lastReading = await eventually(
      async () => {
        const latest = (await platform.call("GET", "/v1/devices/meter/latest", tenant.key)).json;
        return latest?.values?.kwh?.value === 2 ? latest : undefined;
      },
      { what: "the last reading in /latest", timeoutMs: 20_000 },
    );
    const [fired] = await platform.alertsWhen(tenant.key, "deviceId=meter&status=open", (a) => a.length === 1, 20_000);
    expect(fired.severity).toBe("warning");
    const lastTs = Date.parse(lastReading.values.kwh.ts);
    expect(Date.parse(fired.raisedAt)).toBe(lastTs + 3_000);

    await platform.send(meter, [{ values: { kwh: 9 } }]);
    await platform.alertsWhen(tenant.key, "deviceId=meter&status=history", (a) => a.length === 1);
  });
});
