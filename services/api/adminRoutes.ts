/**
 * The platform's own admin API (plugins add theirs): dead letters and projections,
 * guarded by the admin bearer token.
 */
import { Effect, type ManagedRuntime, Option } from "effect";
import { Hono } from "hono";
import { replayDeadLetter } from "../../core/consuming/replayDeadLetter.ts";
import { bearerToken, constantTimeEquals } from "../../core/http/bearerToken.ts";
import { NotFound, Unauthorized } from "../../core/http/Errors.ts";
import { type AnyProjection, type AppConfigValues, DeadLetters, ReadModelStore } from "../../core/index.ts";
import { rebuildProjection } from "../../core/projections/ProjectionRunner.ts";
import type { PlatformServices } from "../runtime/platformLayer.ts";

/** Rejects requests without the admin token; with no token configured, rejects all. */
export const requireAdmin =
  (config: AppConfigValues) =>
  async (c: { req: { header(name: string): string | undefined } }, next: () => Promise<void>) => {
    const expected = config.ANANSKY_ADMIN_TOKEN;
    if (expected === undefined)
      throw new Unauthorized({ detail: "the admin API is disabled: set ANANSKY_ADMIN_TOKEN" });
    const given = bearerToken(c.req.header("authorization"));
    if (given === undefined || !constantTimeEquals(given, expected)) {
      throw new Unauthorized({ detail: "a valid admin bearer token is required" });
    }
    await next();
  };

export const adminRoutes = (
  runtime: ManagedRuntime.ManagedRuntime<PlatformServices, unknown>,
  config: AppConfigValues,
  projections: ReadonlyArray<AnyProjection>,
) =>
  new Hono()
    .use("/admin/*", requireAdmin(config))
    .get("/admin/dead-letters", async (c) => {
      const status = c.req.query("status");
      const list = await runtime.runPromise(
        DeadLetters.use((d) =>
          d.list({
            group: c.req.query("group"),
            status: status === "dead" || status === "replayed" ? status : undefined,
            limit: Math.min(1_000, Number(c.req.query("limit") ?? 100) || 100),
          }),
        ),
      );
      return c.json({ deadLetters: list });
    })
    .get("/admin/dead-letters/:id", async (c) => {
      const id = c.req.param("id");
      const found = await runtime.runPromise(DeadLetters.use((d) => d.get(id)));
      if (Option.isNone(found)) throw new NotFound({ detail: `no dead letter ${id}` });
      return c.json(found.value);
    })
    .post("/admin/dead-letters/:id/replay", async (c) => {
      const replayed = await runtime.runPromise(replayDeadLetter(c.req.param("id")));
      return c.json(replayed, 202);
    })
    .get("/admin/projections", async (c) => {
      const checkpoints = await runtime.runPromise(
        Effect.forEach(projections, (projection) =>
          ReadModelStore.use((store) => store.getCheckpoint(projection.name)).pipe(
            Effect.map((checkpoint) => ({
              name: projection.name,
              version: projection.version,
              ...Option.getOrElse(checkpoint, () => ({ status: "never built" })),
            })),
          ),
        ),
      );
      return c.json({ projections: checkpoints });
    })
    .post("/admin/projections/:name/rebuild", async (c) => {
      const name = c.req.param("name");
      const projection = projections.find((p) => p.name === name);
      if (projection === undefined) throw new NotFound({ detail: `no projection ${name}` });
      const progress = await runtime.runPromise(rebuildProjection(projection));
      return c.json(progress);
    });
