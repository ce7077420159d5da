/**
 * Webhook notifications end to end: a receiver on 127.0.0.1 (allow-listed in the test
 * config) gets signed deliveries it can verify; deliveries answered 500 are retried with
 * backoff and every attempt is recorded; a target that keeps failing is dead-lettered;
 * a silenced alert is recorded but not notified; an acknowledgement is notified too.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../plugins/webhook-notifier/index.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { type AlertRulesPlatform, adminToken, startAlertRulesPlatform, thresholdOn } from "./alertRulesPlatform.ts";

interface Received {
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
  readonly status: number;
}

let platform: AlertRulesPlatform;
let receiver: Server;
let origin: string;
const received: Array<Received> = [];
const failuresById = new Map<string, number>();

/** /flaky answers 500 twice per delivery id, then 200; /down always 500. */
const startReceiver = () =>
  new Promise<void>((resolve) => {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += String(chunk);
      });
      request.on("end", () => {
        const id = String(request.headers["anansky-webhook-id"]);
        const failures = failuresById.get(id) ?? 0;
        const status = request.url === "/down" || (request.url === "/flaky" && failures < 2) ? 500 : 200;
        if (status === 500) failuresById.set(id, failures + 1);
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(",") : value,
          ]),
        );
        received.push({ path: request.url ?? "", headers, body, status });
        response.writeHead(status).end();
      });
    });
    receiver.listen(0, "127.0.0.1", () => {
      origin = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      resolve();
    });
  });

beforeAll(async () => {
  await startReceiver();
  platform = await startAlertRulesPlatform("webhooks", {
    ANANSKY_WEBHOOK_ALLOWED_HOSTS: origin,
    ANANSKY_OUTBOUND_ALLOW_HOSTS: origin,
    ANANSKY_OUTBOUND_ALLOW_PRIVATE: origin,
    ANANSKY_HANDLER_MAX_ATTEMPTS: "4",
    ANANSKY_HANDLER_RETRY_BASE_MS: "200",
    ANANSKY_ALERT_TICK_LAG_MS: "600000",
  });
});

beforeEach((context) => {
  context.onTestFailed(() => console.error(`platform output:\n${platform?.server.output()}`));
});

afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const bodyOf = (delivery: Received) =>
  JSON.parse(delivery.body) as { id: string; type: string; attempt: number; notification: Record<string, unknown> };

describe("webhook notifications", () => {
  it("refuses targets outside the policy and never shows a secret twice", async () => {
    const tenant = await platform.newTenant();
    for (const url of ["http://hooks.example.com/a", "https://10.0.0.1/a", "https://localhost/a", "ftp://x/y"]) {
      const refused = await platform.call("POST", "/v1/webhooks", tenant.key, { url });
      expect(refused.status, url).toBe(400);
      expect(refused.json.errors[0].field).toBe("url");
    }
    const created = await platform.call("POST", "/v1/webhooks", tenant.key, { url: `http://${origin}/ok` });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    const listed = await platform.call("GET", "/v1/webhooks", tenant.key);
    expect(listed.json.targets).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect((await platform.call("DELETE", `/v1/webhooks/${created.json.targetId}`, tenant.key)).status).toBe(204);
    expect((await platform.call("GET", "/v1/webhooks", tenant.key)).json.targets).toEqual([]);
  });

  it("delivers signed notifications, retrying 500s with every attempt recorded, and dead-letters a target that stays down", async () => {
    const tenant = await platform.newTenant();
    const flaky = await platform.call("POST", "/v1/webhooks", tenant.key, { url: `http://${origin}/flaky` });
    const down = await platform.call("POST", "/v1/webhooks", tenant.key, {
      url: `http://${origin}/down`,
      eventTypes: ["AlertRaised"],
    });
    expect([flaky.status, down.status]).toEqual([201, 201]);
    await platform.createRule(tenant.key, thresholdOn("boiler-hot", "boiler", 80));
    const boiler = await platform.registerDevice(tenant.key, "boiler");
    const base = Date.now() - 30_000;
    await platform.send(boiler, [
      { ts: base, values: { temp: 85 } },
      { ts: base + 1000, values: { temp: 70 } },
    ]);

    const flakyDeliveries = await eventually(
      () => {
        const ok = received.filter((r) => r.path === "/flaky" && r.status === 200);
        return ok.length === 2 ? received.filter((r) => r.path === "/flaky") : undefined;
      },
      { what: "two notifications delivered to /flaky", timeoutMs: 40_000, intervalMs: 100 },
    );
    const byId = Map.groupBy(flakyDeliveries, (delivery) => bodyOf(delivery).id);
    expect([...byId.values()].map((attempts) => attempts.map((a) => [a.status, bodyOf(a).attempt]))).toEqual([
      [
        [500, 1],
        [500, 2],
        [200, 3],
      ],
      [
        [500, 1],
        [500, 2],
        [200, 3],
      ],
    ]);
    expect(flakyDeliveries.map((d) => bodyOf(d).type).sort()).toEqual([
      ...Array(3).fill("AlertRaised"),
      ...Array(3).fill("AlertResolved"),
    ]);
    for (const delivery of flakyDeliveries) {
      const valid = await verifyWebhookSignature({
        secret: flaky.json.secret,
        body: delivery.body,
        timestamp: delivery.headers["anansky-webhook-timestamp"],
        signature: delivery.headers["anansky-webhook-signature"],
      });
      expect(valid).toBe(true);
      expect(delivery.headers["anansky-webhook-id"]).toBe(bodyOf(delivery).id);
      expect(bodyOf(delivery).notification).toMatchObject({
        tenantId: tenant.tenantId,
        ruleId: "boiler-hot",
        deviceId: "boiler",
      });
    }
    expect(
      await verifyWebhookSignature({
        secret: down.json.secret,
        body: flakyDeliveries[0]?.body ?? "",
        timestamp: flakyDeliveries[0]?.headers["anansky-webhook-timestamp"],
        signature: flakyDeliveries[0]?.headers["anansky-webhook-signature"],
      }),
    ).toBe(false);

    const events = platform.db.collection("events");
    const count = (type: string, targetId: string) => events.countDocuments({ type, "payload.targetId": targetId });
    // The receiver answers before the platform records the delivery: wait for the record.
    await eventually(
      async () => ((await count("NotificationDelivered", flaky.json.targetId)) === 2 ? true : undefined),
      {
        what: "the deliveries recorded",
      },
    );
    expect(await count("NotificationFailed", flaky.json.targetId)).toBe(4);

    await eventually(
      async () => {
        const listed = await platform.call("GET", "/admin/dead-letters?status=dead", adminToken);
        const ours = (listed.json.deadLetters ?? []).filter(
          (d: { pluginId: string; eventType: string }) =>
            d.pluginId === "webhook-notifier" && d.eventType === "NotificationRequested",
        );
        return ours.length === 1 ? ours : undefined;
      },
      { what: "the /down request dead-lettered", timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(received.filter((r) => r.path === "/down").length).toBe(4);
    expect(await count("NotificationFailed", down.json.targetId)).toBe(4);
    expect(await count("NotificationDelivered", down.json.targetId)).toBe(0);
  });

  it("records a silenced alert without notifying it, and notifies an acknowledgement", async () => {
    const tenant = await platform.newTenant();
    await platform.call("POST", "/v1/webhooks", tenant.key, { url: `http://${origin}/ok` });
    await platform.createRule(tenant.key, thresholdOn("fan-hot", "fan", 50));
    await platform.createRule(tenant.key, thresholdOn("pump-hot", "pump", 50));
    const silence = await platform.call("POST", "/v1/silences", tenant.key, {
      deviceId: "fan",
      durationSeconds: 600,
      comment: "maintenance",
    });
    expect(silence.status).toBe(201);
    const fan = await platform.registerDevice(tenant.key, "fan");
    const pump = await platform.registerDevice(tenant.key, "pump");
    await platform.send(fan, [{ ts: Date.now() - 5_000, values: { temp: 60 } }]);
    await platform.send(pump, [{ ts: Date.now() - 5_000, values: { temp: 60 } }]);

    const [pumpAlert] = await platform.alertsWhen(tenant.key, "deviceId=pump", (a) => a.length === 1);
    const [fanAlert] = await platform.alertsWhen(tenant.key, "deviceId=fan", (a) => a.length === 1);
    expect(fanAlert.status).toBe("open");
    const acked = await platform.call("POST", `/v1/alerts/${pumpAlert.alertId}/acknowledge`, tenant.key, {
      by: "Ana",
      comment: "on it",
    });
    expect(acked.status, acked.text).toBe(200);
    expect(acked.json).toMatchObject({ acknowledged: true, acknowledgeComment: "on it" });
    expect((await platform.call("POST", `/v1/alerts/${pumpAlert.alertId}/acknowledge`, tenant.key, {})).status).toBe(
      409,
    );

    const forTenant = () =>
      received
        .filter((r) => r.path === "/ok" && bodyOf(r).notification.tenantId === tenant.tenantId)
        .map((r) => bodyOf(r));
    const delivered = await eventually(() => (forTenant().length === 2 ? forTenant() : undefined), {
      what: "the pump's raise and acknowledgement",
      timeoutMs: 30_000,
    });
    expect(delivered.map((d) => [d.type, d.notification.deviceId])).toEqual([
      ["AlertRaised", "pump"],
      ["AlertAcknowledged", "pump"],
    ]);
    await eventually(
      async () =>
        (await platform.db
          .collection("events")
          .countDocuments({ type: "NotificationSuppressed", "payload.alertId": fanAlert.alertId })) === 1
          ? true
          : undefined,
      { what: "the fan's suppression recorded" },
    );
    expect(forTenant().some((d) => d.notification.deviceId === "fan")).toBe(false);
  });
});
