/** Serves a Hono app with @hono/node-server for as long as the scope lives. */
import { serve } from "@hono/node-server";
import { Effect } from "effect";
import type { Hono } from "hono";

export const serveHttp = (app: Hono, options: { readonly port: number; readonly hostname: string }) =>
  Effect.acquireRelease(
    Effect.callback<ReturnType<typeof serve>>((resume) => {
      const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, () =>
        resume(Effect.succeed(server)),
      );
      server.once("error", (error) => resume(Effect.die(error)));
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void));
        // Keep-alive connections would hold close() open: end idle ones now.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  ).pipe(Effect.tap(() => Effect.logInfo(`anansky listening on http://${options.hostname}:${options.port}`)));
