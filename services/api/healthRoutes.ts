/** /healthz: the process lives. /readyz: MongoDB and Kafka answer (503 naming the failing check). */
import { Duration, Effect, type ManagedRuntime } from "effect";
import { Hono } from "hono";
import { EventBus, EventRegistry } from "../../core/index.ts";
import { MongoConnection } from "../runtime/MongoConnection.ts";
import type { PlatformServices } from "../runtime/platformLayer.ts";

const check = <E, R>(probe: Effect.Effect<unknown, E, R>) =>
  probe.pipe(
    Effect.timeout(Duration.seconds(3)),
    Effect.as({ ok: true as const }),
    Effect.catchCause((cause) => Effect.succeed({ ok: false as const, error: String(cause).slice(0, 300) })),
  );

const readiness = Effect.gen(function* () {
  const { client, databaseName } = yield* MongoConnection;
  const bus = yield* EventBus;
  const registry = yield* EventRegistry;
  const [mongodb, kafka] = yield* Effect.all(
    [
      check(Effect.tryPromise(() => client.db(databaseName).command({ ping: 1 }))),
      check(bus.ensureTopics([registry.deadLetterTopic])),
    ],
    { concurrency: 2 },
  );
  return { mongodb, kafka };
});

export const healthRoutes = (runtime: ManagedRuntime.ManagedRuntime<PlatformServices, unknown>) =>
  new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", async (c) => {
      const checks = await runtime.runPromise(readiness);
      const ready = checks.mongodb.ok && checks.kafka.ok;
      return c.json({ status: ready ? "ready" : "not ready", checks }, ready ? 200 : 503);
    });
