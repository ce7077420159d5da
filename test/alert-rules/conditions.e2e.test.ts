/**
 * Every condition type raises and resolves on the right readings, end to end: rules over
 * the API, readings through ingest, real Kafka and FerretDB, alerts read back from the
 * alerts API. Then a backtest of each rule over the recorded history returns exactly the
 * alerts live evaluation raised. Readings carry device time a minute in the past and the
 * timer runs ten minutes behind, so only data decides here (timers.e2e covers ticks).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../harness/testEnvironment.ts";
import { type AlertRulesPlatform, startAlertRulesPlatform } from "./alertRulesPlatform.ts";
import { type ConditionCase as Case, conditionCases as cases } from "./conditionCases.ts";

let platform: AlertRulesPlatform;
let tenant: { tenantId: string; key: string };
const base = Date.now() - 60_000;
const at = (i: number) => new Date(base + i * 1000).toISOString();
beforeAll(async () => {
  platform = await startAlertRulesPlatform("conditions", { ANANSKY_ALERT_TICK_LAG_MS: "600000" });
  tenant = await platform.newTenant();
  for (const { device, rule, readings } of cases) {
    await platform.createRule(tenant.key, rule);
    const deviceKey = await platform.registerDevice(tenant.key, device);
    await platform.send(
      deviceKey,
      readings.map((values, i) => ({ ts: base + i * 1000, values })),
    );
  }
});

beforeEach((context) => {
  context.onTestFailed(() => console.error(`platform output:\n${platform?.server.output()}`));
});

afterAll(async () => {
  await platform?.stop();
});

const expectedAlerts = (c: Case) =>
  c.expected.map(([raised, resolved, severity]) => ({
    raisedAt: at(raised),
    resolvedAt: resolved === null ? null : at(resolved),
    severity,
  }));

describe("conditions end to end", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s raises and resolves on the right readings", async (_type, c) => {
    const done = c.expected.filter(([, resolved]) => resolved !== null).length;
    const alerts = await platform.alertsWhen(
      tenant.key,
      `status=all&deviceId=${c.device}`,
      (found) => found.length === c.expected.length && found.filter((a) => a.status === "resolved").length === done,
    );
    const oldestFirst = [...alerts].reverse();
    const seen = oldestFirst.map((a) => ({ raisedAt: a.raisedAt, resolvedAt: a.resolvedAt, severity: a.severity }));
    expect(seen, JSON.stringify({ seen, expected: expectedAlerts(c) })).toEqual(expectedAlerts(c));
    expect(oldestFirst.map((a) => a.ruleId)).toEqual(c.expected.map(() => c.rule.ruleId));
    if (c.device !== "dev-rate" && c.device !== "dev-absence") {
      expect(oldestFirst.map((a) => a.value)).toEqual(c.expected.map(([, , , value]) => value));
    }
  });

  it("escalates while open, and the query API filters by device, rule, severity and status, a page at a time", async () => {
    const [hysteresis] = await platform.alertsWhen(
      tenant.key,
      "status=history&ruleId=c-hysteresis",
      (a) => a.length === 1,
    );
    expect(hysteresis.escalations).toEqual([{ from: "major", to: "critical", at: at(2) }]);
    expect(hysteresis.peak).toBe(45);
    const critical = await platform.call("GET", "/v1/alerts?status=all&severity=critical", tenant.key);
    expect(critical.json.alerts.map((a: { deviceId: string }) => a.deviceId)).toEqual(["dev-hysteresis"]);
    const active = await platform.call("GET", "/v1/alerts", tenant.key);
    expect(active.json.alerts.map((a: { deviceId: string }) => a.deviceId)).toEqual(["dev-range"]);
    // The open alert is counted on /metrics by severity (the gauge refreshes every 10 s).
    const severity = active.json.alerts[0].severity as string;
    await eventually(
      async () => {
        const metrics = await (await fetch(`${platform.server.url}/metrics`)).text();
        const line = metrics
          .split("\n")
          .find((l) => l.startsWith("anansky_alerts_open{") && l.includes(`"${severity}"`));
        return line !== undefined && Number(line.split(" ").at(-1)) >= 1 ? true : undefined;
      },
      { what: "the open alert on /metrics", timeoutMs: 30_000, intervalMs: 500 },
    );

    const seen: Array<string> = [];
    let cursor: string | null = null;
    do {
      const page = await platform.call(
        "GET",
        `/v1/alerts?status=all&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        tenant.key,
      );
      expect(page.status).toBe(200);
      seen.push(...page.json.alerts.map((a: { alertId: string }) => a.alertId));
      cursor = page.json.nextCursor;
    } while (cursor !== null);
    expect(seen.length).toBe(cases.reduce((n, c) => n + c.expected.length, 0));
    expect(new Set(seen).size).toBe(seen.length);

    const other = await platform.newTenant();
    expect((await platform.call("GET", "/v1/alerts?status=all", other.key)).json.alerts).toEqual([]);
    const bad = await platform.call("GET", "/v1/alerts?severity=loud", tenant.key);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
  });

  it("backtests each rule over the recorded history and returns exactly the alerts live evaluation raised", async () => {
    for (const c of cases) {
      const live = [
        ...(await platform.alertsWhen(
          tenant.key,
          `status=all&deviceId=${c.device}`,
          (a) => a.length === c.expected.length,
        )),
      ].reverse();
      const {
        tenantId: _t,
        version: _v,
        enabled: _e,
        createdAt: _c,
        updatedAt: _u,
        ...rule
      } = (await platform.call("GET", `/v1/rules/${c.rule.ruleId}`, tenant.key)).json;
      // Up to just after the history: a backtest lets device time run to `to`, and a silence
      // longer than the absence limit after the last reading would (rightly) raise there too.
      const body = { rule, from: new Date(base - 1000).toISOString(), to: new Date(base + 10_000).toISOString() };
      const result = await platform.call("POST", "/v1/rules/backtest", tenant.key, body);
      expect(result.status, result.text).toBe(200);
      expect(result.json.summary, JSON.stringify(result.json)).toMatchObject({
        devices: 1,
        readings: c.readings.length,
        alerts: live.length,
      });
      const replayed = result.json.alerts.map((a: Record<string, unknown>) => [
        a.deviceId,
        a.raisedAt,
        a.resolvedAt,
        a.severity,
      ]);
      const raised = live.map((a) => [a.deviceId, a.raisedAt, a.resolvedAt, a.severity]);
      expect(replayed, JSON.stringify({ replayed, raised })).toEqual(raised);
      const resolvedPeaks = live.filter((a) => a.resolvedAt !== null).map((a) => [a.peak, a.peakAt]);
      expect(
        result.json.alerts
          .filter((a: { resolvedAt: string | null }) => a.resolvedAt !== null)
          .map((a: Record<string, unknown>) => [a.peakValue, a.peakAt]),
      ).toEqual(resolvedPeaks);
    }
  });

  it("streams backtest progress as NDJSON, and refuses a bad backtest with a problem", async () => {
    const threshold = cases[0]?.rule ?? {};
    const response = await fetch(`${platform.server.url}/v1/rules/backtest`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tenant.key}`,
        accept: "application/x-ndjson",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        rule: { ...threshold, ruleId: "what-if", scope: { allDevices: true } },
        from: new Date(base - 1000).toISOString(),
        to: new Date(base + 30_000).toISOString(),
      }),
    });
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; [k: string]: unknown });
    expect(lines[0]).toMatchObject({ type: "started", devices: cases.length });
    expect(lines.filter((l) => l.type === "progress").map((l) => l.devicesDone)).toEqual(cases.map((_, i) => i + 1));
    const summary = lines.at(-1);
    expect(summary).toMatchObject({ type: "summary", devices: cases.length });
    expect(lines.filter((l) => l.type === "alert").length).toBe(summary?.alerts);

    const bad = await platform.call("POST", "/v1/rules/backtest", tenant.key, {
      rule: { name: "x" },
      from: "yesterday",
      to: "now",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(["from", "to"]));
  });
});
