/**
 * `/v1/external-sources`: a tenant's applications manage its sources (tenant key only).
 * Bodies are decoded with the shared schema, then the kind's own options schema and
 * checks (an http-json URL's host must pass the outbound policy), all issues at once.
 * `GET /v1/external-source-kinds` lists the kinds this platform knows.
 */
import { Effect, Option, Schema } from "effect";
import { Hono } from "hono";
import {
  callerOf,
  decodeRequest,
  etagOf,
  NotFound,
  ReadModelStore,
  type RouteContext,
  readJsonBody,
  ValidationFailed,
} from "../../core/index.ts";
import { expectedVersionOf, limitBody, noQuery } from "./httpInput.ts";
import type { SourceKind } from "./SourceKind.ts";
import { defineSource, removeSource } from "./sourceCommands.ts";
import {
  CreateSourceBody,
  SourceId,
  SourceSpecBody,
  type SourceSpecBody as SpecBody,
  withDefaults,
} from "./sourceSettings.ts";
import { type SourceDocument, sourceDocumentId, sourcesCollection } from "./sourcesProjection.ts";

const SourcePath = Schema.Struct({ sourceId: SourceId });

/** A source as the API shows it. Options hold secret names, never secret values. */
const responseOf = (document: SourceDocument) => {
  const { _id: _documentId, ...fields } = document as SourceDocument & { readonly _id?: string };
  return fields;
};

const getSource = (tenantId: string, sourceId: string) =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore;
    const found = yield* store.get(sourcesCollection, sourceDocumentId(tenantId, sourceId));
    const document = Option.filter(found, (doc) => doc.tenantId === tenantId);
    if (Option.isNone(document)) return yield* new NotFound({ detail: `no source ${sourceId}` });
    return responseOf(document.value as unknown as SourceDocument);
  });

/** The body's kind must be known and its options must pass the kind's schema and checks. */
const checkKind = (kinds: () => ReadonlyArray<SourceKind>, body: SpecBody) =>
  Effect.gen(function* () {
    const kind = kinds().find((candidate) => candidate.kind === body.kind);
    if (kind === undefined) {
      const known = kinds().map((candidate) => candidate.kind);
      return yield* new ValidationFailed({
        detail: "the request is invalid",
        errors: [{ field: "kind", reason: `unknown kind ${body.kind}; this platform knows ${known.join(", ")}` }],
      });
    }
    yield* kind.check(body.options ?? {});
  });

/**
 * @example
 * api.routes((context) => sourceRoutes(context, () => kinds.all().map((c) => c.value)));
 */
export const sourceRoutes = (context: RouteContext, kinds: () => ReadonlyArray<SourceKind>): Hono => {
  const app = new Hono();

  app.get("/v1/external-source-kinds", async (c) => {
    await context.run(Effect.andThen(callerOf(c.req, ["tenant"]), noQuery(c.req)));
    return c.json({ kinds: kinds().map(({ kind, description }) => ({ kind, description })) });
  });

  app.post("/v1/external-sources", limitBody, async (c) => {
    const source = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        yield* noQuery(c.req);
        const { sourceId, ...spec } = yield* decodeRequest(CreateSourceBody, yield* readJsonBody(c.req));
        yield* checkKind(kinds, spec);
        yield* defineSource(tenantId, sourceId, withDefaults(spec), { create: true });
        return yield* getSource(tenantId, sourceId);
      }),
    );
    c.header("location", `/v1/external-sources/${source.sourceId}`);
    c.header("etag", etagOf(source.version));
    return c.json(source, 201);
  });

  app.get("/v1/external-sources", async (c) => {
    const sources = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        yield* noQuery(c.req);
        const store = yield* ReadModelStore;
        const documents = yield* store.find(sourcesCollection, { tenantId }, { sort: { sourceId: 1 }, limit: 1_000 });
        return documents.map((document) => responseOf(document as unknown as SourceDocument));
      }),
    );
    return c.json({ sources });
  });

  app.get("/v1/external-sources/:sourceId", async (c) => {
    const source = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { sourceId } = yield* decodeRequest(SourcePath, c.req.param());
        yield* noQuery(c.req);
        return yield* getSource(tenantId, sourceId);
      }),
    );
    c.header("etag", etagOf(source.version));
    return c.json(source);
  });

  app.put("/v1/external-sources/:sourceId", limitBody, async (c) => {
    const source = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { sourceId } = yield* decodeRequest(SourcePath, c.req.param());
        yield* noQuery(c.req);
        const ifMatch = yield* expectedVersionOf(c.req.header("if-match"));
        const spec = yield* decodeRequest(SourceSpecBody, yield* readJsonBody(c.req));
        yield* checkKind(kinds, spec);
        yield* defineSource(tenantId, sourceId, withDefaults(spec), { create: false, ifMatch });
        return yield* getSource(tenantId, sourceId);
      }),
    );
    c.header("etag", etagOf(source.version));
    return c.json(source);
  });

  app.delete("/v1/external-sources/:sourceId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { sourceId } = yield* decodeRequest(SourcePath, c.req.param());
        yield* noQuery(c.req);
        yield* removeSource(tenantId, sourceId);
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
