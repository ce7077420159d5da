/**
 * Killing the worker mid-stream loses and duplicates no alert: the API runs in one
 * process and the consumers in another (MODE=consumer); while a gateway streams readings
 * of five devices, the worker is SIGKILLed, readings keep coming, a new worker starts, and
 * in the end every device's alert stream holds exactly the alerts its readings call for.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../harness/testEnvironment.ts";
import { type AlertRulesPlatform, startAlertRulesPlatform } from "./alertRulesPlatform.ts";

let platform: AlertRulesPlatform;

beforeAll(async () => {
  platform = await startAlertRulesPlatform("crash", {}, { separateWorker: true });
});

beforeEach((context) => {
  context.onTestFailed(async () => {
    const deadLetter = await platform?.db.collection("dead_letters").findOne({});
    console.error(`first dead letter: ${deadLetter?.error}`);
    console.error(`server output:\n${platform?.server.output()}\nworker output:\n${platform?.worker()?.output()}`);
  });
});

afterAll(async () => {
  await platform?.stop();
});

const devices = ["m0", "m1", "m2", "m3", "m4"];
const rounds = 48;
/** 60, 60, 40, 40, …: an alert rises every 4th reading and resolves two readings later. */
const valueAt = (round: number) => (round % 4 < 2 ? 60 : 40);

describe("a worker killed mid-stream", () => {
  it("loses and duplicates no alert", async () => {
    const tenant = await platform.newTenant();
    await platform.createRule(tenant.key, {
      ruleId: "over-50",
      name: "over 50",
      severity: "minor",
      scope: { tag: "meter" },
      condition: { type: "threshold", value: { source: "reading", key: "load" }, op: ">", threshold: 50 },
    });
    for (const device of devices) await platform.registerDevice(tenant.key, device, ["meter"]);
    const gateway = await platform.call("POST", "/v1/devices", tenant.key, {
      deviceId: "gw",
      name: "gw",
      gatewayFor: devices,
    });
    const gatewayKey = gateway.json.key.key as string;
    const base = Date.now() - 5 * 60_000;
    const sendRound = (round: number) =>
      platform.call(
        "POST",
        "/v1/telemetry",
        gatewayKey,
        devices.map((deviceId) => ({ deviceId, ts: base + round * 1000, values: { load: valueAt(round) } })),
      );
    const alertEvents = platform.db.collection("events");
    const countOf = (type: string) => alertEvents.countDocuments({ type, "payload.ruleId": "over-50" });

    const started = Date.now();
    const mark = (what: string) => console.log(`${Date.now() - started} ms: ${what}`);
    let round = 0;
    for (; round < rounds / 2; round++) expect((await sendRound(round)).status).toBe(202);
    // Kill the worker while it is raising alerts: some, not all, of the first half are in.
    await eventually(async () => ((await countOf("AlertRaised")) > 0 ? true : undefined), {
      what: "the first alerts",
      intervalMs: 20,
    });
    mark("first alerts");
    expect(await platform.worker()?.stop("SIGKILL")).toBe(null);
    mark("killed");
    const raisedWhenKilled = await countOf("AlertRaised");
    for (; round < rounds; round++) expect((await sendRound(round)).status).toBe(202);
    mark("second half sent");
    await platform.startWorker();
    mark("worker restarted");

    const expected = devices.length * (rounds / 4);
    await eventually(async () => ((await countOf("AlertResolved")) === expected ? true : undefined), {
      what: `${expected} resolved alerts`,
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    mark("all resolved");
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // anything duplicated late would show now
    expect(raisedWhenKilled).toBeLessThan(expected);
    expect(await countOf("AlertRaised")).toBe(expected);
    expect(await countOf("AlertResolved")).toBe(expected);

    for (const device of devices) {
      const stream = await alertEvents
        .find({ "payload.ruleId": "over-50", "payload.deviceId": device })
        .sort({ streamVersion: 1 })
        .toArray();
      const expectedStream = Array.from({ length: rounds / 4 }, (_, k) => [
        ["AlertRaised", new Date(base + 4 * k * 1000).toISOString()],
        ["AlertResolved", new Date(base + (4 * k + 2) * 1000).toISOString()],
      ]).flat();
      expect(stream.map((event) => [event.type, event.payload.at])).toEqual(expectedStream);
      expect(stream.map((event) => event.streamVersion)).toEqual(stream.map((_, i) => i + 1));
    }
    expect(await platform.db.collection("dead_letters").countDocuments({ pluginId: "alert-rules" })).toBe(0);
    const alerts = await platform.alertsWhen(tenant.key, "status=history&limit=500", (a) => a.length === expected);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(expected);
  }, 180_000);
});
