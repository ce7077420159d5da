/**
 * From alert events to notifications: one request per (notifier, target), none while
 * silenced (recorded as suppressed), every delivery attempt recorded, a delivered
 * request never delivered again.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Stream } from "effect";
import { type EventEnvelope, EventStore, ReadModelStore } from "../../core/index.ts";
import { acknowledgeAlert } from "../../plugins/alert-rules/acknowledgeAlert.ts";
import { listAlerts } from "../../plugins/alert-rules/alertQueries.ts";
import { deliverNotification } from "../../plugins/alert-rules/notificationDelivery.ts";
import { NotificationRequested } from "../../plugins/alert-rules/notificationEvents.ts";
import {
  fanOutNotification,
  type NotifiableAlertEvent,
  notificationOf,
} from "../../plugins/alert-rules/notificationFanOut.ts";
import { DeliveryFailed, type Notifier } from "../../plugins/alert-rules/notifierContract.ts";
import { evaluateReading } from "../../plugins/alert-rules/readingEvaluation.ts";
import { createSilence } from "../../plugins/alert-rules/silenceCommands.ts";
import {
  alertRulesTestLayer,
  decodeRecorded,
  givenReading,
  givenRule,
  lookup,
  projectAlerts,
  tenantId,
  thresholdRule,
  types,
} from "./alertRulesTestLayer.ts";

const eventsOfType = (type: string) =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll({ types: [type] })));

/** A notifier with two targets whose deliveries fail while `failing` is set. */
const fakeNotifier = (state: { failing: boolean; delivered: Array<string> }): Notifier => ({
  id: "fake",
  targetsFor: () => Effect.succeed([{ targetId: "t1" }, { targetId: "t2" }]),
  deliver: (targetId, notification, attempt) =>
    state.failing
      ? Effect.fail(new DeliveryFailed({ reason: "HTTP 503", retryable: true }))
      : Effect.sync(() => {
          state.delivered.push(`${targetId}:${notification.eventType}:${attempt.attempt}`);
          return { outcome: "HTTP 200" };
        }),
});

const raiseOneAlert = Effect.gen(function* () {
  yield* givenRule(thresholdRule("hot", 30));
  yield* evaluateReading(yield* givenReading("pump-1", Date.now(), { temp: 40 }), {
    lookup: lookup(),
    types,
    decode: decodeRecorded,
  });
  const [raised] = yield* eventsOfType("AlertRaised");
  return raised as EventEnvelope;
});

/** A service whose every method dies: what must not be called. */
const untouchable = <S>(name: string) =>
  new Proxy({}, { get: (_, method) => () => Effect.die(new Error(`${name}.${String(method)} was called`)) }) as S;

describe("notifications", () => {
  it.effect(
    "given an alert raised and resolved, when their notifications are built, then no store is read (the events carry all)",
    () =>
      Effect.gen(function* () {
        const raised = (yield* raiseOneAlert) as unknown as NotifiableAlertEvent;
        const notification = yield* notificationOf(raised).pipe(
          Effect.provideService(ReadModelStore, untouchable<typeof ReadModelStore.Service>("ReadModelStore")),
          Effect.provideService(EventStore, untouchable<typeof EventStore.Service>("EventStore")),
        );
        assert.strictEqual(notification.ruleName, raised.payload.ruleName);
        assert.strictEqual(notification.severity, raised.payload.severity);
        // The AlertResolved that ends it carries the rule's name and the episode's severity too.
        yield* evaluateReading(yield* givenReading("pump-1", Date.now() + 1_000, { temp: 10 }), {
          lookup: lookup(),
          types,
          decode: decodeRecorded,
        });
        const [resolved] = yield* eventsOfType("AlertResolved");
        const resolvedNotification = yield* notificationOf(resolved as unknown as NotifiableAlertEvent).pipe(
          Effect.provideService(ReadModelStore, untouchable<typeof ReadModelStore.Service>("ReadModelStore")),
          Effect.provideService(EventStore, untouchable<typeof EventStore.Service>("EventStore")),
        );
        assert.deepStrictEqual(
          [resolvedNotification.eventType, resolvedNotification.ruleName, resolvedNotification.severity],
          ["AlertResolved", raised.payload.ruleName, raised.payload.severity],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given two targets, when an alert rises, then each is requested once and delivered once, failures recorded",
    () =>
      Effect.gen(function* () {
        const raised = yield* raiseOneAlert;
        const state = { failing: true, delivered: [] as Array<string> };
        const notifier = fakeNotifier(state);
        const contributions = { all: () => [{ pluginId: "fake", value: notifier }] };
        yield* projectAlerts;
        yield* fanOutNotification(raised as unknown as NotifiableAlertEvent, contributions);
        yield* fanOutNotification(raised as unknown as NotifiableAlertEvent, contributions); // redelivered
        const requests = yield* eventsOfType("NotificationRequested");
        assert.strictEqual(requests.length, 2);
        const forT1 = requests.find((r) => (r.payload as { targetId: string }).targetId === "t1");
        const request = yield* NotificationRequested.decode(forT1 as EventEnvelope);
        assert.strictEqual(request.payload.notification.ruleName, "temp above 30");
        assert.strictEqual(request.payload.notification.severity, "major");

        const deliver = deliverNotification(notifier);
        assert.strictEqual((yield* Effect.flip(deliver(request)))._tag, "DeliveryFailed");
        assert.strictEqual((yield* Effect.flip(deliver(request)))._tag, "DeliveryFailed");
        state.failing = false;
        yield* deliver(request);
        yield* deliver(request); // redelivered after success: not sent again
        assert.deepStrictEqual(state.delivered, ["t1:AlertRaised:3"]);
        const failures = yield* eventsOfType("NotificationFailed");
        assert.deepStrictEqual(failures.map((e) => (e.payload as { attempt: number }).attempt).sort(), [1, 2]);
        assert.strictEqual((yield* eventsOfType("NotificationDelivered")).length, 1);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given a target that refuses for good, then the failure is permanent (dead-lettered at once)", () =>
    Effect.gen(function* () {
      const raised = yield* raiseOneAlert;
      const notifier: Notifier = {
        id: "fake",
        targetsFor: () => Effect.succeed([{ targetId: "t1" }]),
        deliver: () => Effect.fail(new DeliveryFailed({ reason: "HTTP 410", retryable: false })),
      };
      yield* fanOutNotification(raised as unknown as NotifiableAlertEvent, {
        all: () => [{ pluginId: "fake", value: notifier }],
      });
      const [request] = yield* eventsOfType("NotificationRequested");
      const error = yield* Effect.flip(
        deliverNotification(notifier)(yield* NotificationRequested.decode(request as EventEnvelope)),
      );
      assert.strictEqual(error._tag, "PermanentFailure");
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a silence on the rule, when an alert rises, then nothing is requested and the suppression is recorded",
    () =>
      Effect.gen(function* () {
        yield* createSilence(tenantId, "key1", { ruleId: "hot", durationSeconds: 3600 });
        const raised = yield* raiseOneAlert;
        const state = { failing: false, delivered: [] as Array<string> };
        yield* fanOutNotification(raised as unknown as NotifiableAlertEvent, {
          all: () => [{ pluginId: "fake", value: fakeNotifier(state) }],
        });
        assert.strictEqual((yield* eventsOfType("NotificationRequested")).length, 0);
        assert.strictEqual((yield* eventsOfType("NotificationSuppressed")).length, 1);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given an open alert, when acknowledged, then it shows who and when, and a second ack is a conflict", () =>
    Effect.gen(function* () {
      yield* raiseOneAlert;
      yield* projectAlerts;
      const [alert] = (yield* listAlerts(tenantId, { status: "active" })).alerts;
      const acked = yield* acknowledgeAlert(tenantId, alert?.alertId ?? "", {
        keyId: "k1",
        by: "Ana",
        comment: "on it",
      });
      assert.deepStrictEqual(
        [acked.acknowledged, acked.acknowledgedBy, acked.acknowledgeComment],
        [true, "Ana (key:k1)", "on it"],
      );
      const again = yield* Effect.flip(acknowledgeAlert(tenantId, alert?.alertId ?? "", { keyId: "k1" }));
      assert.strictEqual(again._tag, "Conflict");
      assert.strictEqual((yield* listAlerts(tenantId, { acknowledged: "false" })).alerts.length, 0);
      assert.strictEqual((yield* listAlerts(tenantId, { severity: "major", deviceId: "pump-1" })).alerts.length, 1);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
