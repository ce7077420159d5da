/** The platform's own operations in /openapi.json (plugins describe theirs). */
import { Schema } from "effect";
import { DeadLetter, type OperationSpec } from "../../core/index.ts";

const Check = Schema.Struct({ ok: Schema.Boolean, error: Schema.optionalKey(Schema.String) });
const idParameter = [{ name: "id", description: "the dead letter's id (`<group>|<topic>|<partition>|<offset>`)" }];

export const platformOperations: ReadonlyArray<OperationSpec> = [
  {
    method: "get",
    path: "/healthz",
    summary: "The process is alive",
    tags: ["health"],
    credentials: ["none"],
    responses: { 200: { description: "alive", schema: Schema.Struct({ status: Schema.Literal("ok") }) } },
  },
  {
    method: "get",
    path: "/readyz",
    summary: "MongoDB and Kafka answer",
    tags: ["health"],
    credentials: ["none"],
    responses: {
      200: {
        description: "ready",
        schema: Schema.Struct({ status: Schema.String, checks: Schema.Record(Schema.String, Check) }),
      },
      503: { description: "a dependency does not answer; `checks` says which" },
    },
  },
  {
    method: "get",
    path: "/admin/dead-letters",
    summary: "List dead letters",
    tags: ["operations"],
    credentials: ["admin"],
    query: Schema.Struct({
      group: Schema.optionalKey(Schema.String),
      status: Schema.optionalKey(Schema.Literals(["dead", "replayed"])),
      limit: Schema.optionalKey(Schema.String),
    }),
    responses: {
      200: {
        description: "dead letters, oldest first",
        schema: Schema.Struct({ deadLetters: Schema.Array(DeadLetter) }),
      },
    },
  },
  {
    method: "get",
    path: "/admin/dead-letters/{id}",
    summary: "Inspect a dead letter",
    tags: ["operations"],
    credentials: ["admin"],
    pathParameters: idParameter,
    responses: { 200: { description: "the dead letter, with its error and original headers", schema: DeadLetter } },
  },
  {
    method: "post",
    path: "/admin/dead-letters/{id}/replay",
    summary: "Replay a dead letter to the consumer group that gave up on it",
    tags: ["operations"],
    credentials: ["admin"],
    pathParameters: idParameter,
    responses: { 202: { description: "published again", schema: DeadLetter } },
  },
  {
    method: "get",
    path: "/admin/projections",
    summary: "Projections and their checkpoints",
    tags: ["operations"],
    credentials: ["admin"],
    responses: { 200: { description: "one entry per projection" } },
  },
  {
    method: "post",
    path: "/admin/projections/{name}/rebuild",
    summary: "Rebuild a projection from the event store (drop, replay)",
    tags: ["operations"],
    credentials: ["admin"],
    pathParameters: [{ name: "name", description: "the projection's name" }],
    responses: { 200: { description: "the rebuild's final progress" } },
  },
];
