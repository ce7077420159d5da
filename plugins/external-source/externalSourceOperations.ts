/** The external-source plugin's operations in /openapi.json, described with the Schemas the routes decode with. */
import type { OperationSpec } from "../../core/index.ts";
import { SecretBody } from "./secretRoutes.ts";
import { CreateSourceBody, SourceSpecBody } from "./sourceSettings.ts";

const tags = ["external sources"];
const source = [{ name: "sourceId", description: "the source's id within the caller's tenant" }];
const secret = [
  { name: "name", description: 'the secret\'s name (http-json headers refer to it as {"secret": "<name>"})' },
];
const json = ["application/json"];
const bodyNote =
  "`kind` picks the source's kind (GET /v1/external-source-kinds); `options` are that kind's own (for http-json a URL template over the reading); `mapping` names enrichment keys by JSON pointers into the response. See plugins/external-source/README.md.";

/** For `api.openapi(...externalSourceOperations)`. */
export const externalSourceOperations: ReadonlyArray<OperationSpec> = [
  {
    method: "get",
    path: "/v1/external-source-kinds",
    summary: "The kinds of external source this platform knows",
    tags,
    credentials: ["tenant"],
    responses: { 200: { description: "`{kinds: [{kind, description}]}`" } },
  },
  {
    method: "post",
    path: "/v1/external-sources",
    summary: "Define an external source that enriches the tenant's readings",
    description: bodyNote,
    tags,
    credentials: ["tenant"],
    requestBody: { contentTypes: json, schema: CreateSourceBody },
    responses: {
      201: { description: "the source with every default filled in, ETag = its version" },
      409: { description: "the id is taken" },
    },
  },
  {
    method: "get",
    path: "/v1/external-sources",
    summary: "List the tenant's external sources",
    tags,
    credentials: ["tenant"],
    responses: { 200: { description: "`{sources}` (options name secrets, never their values)" } },
  },
  {
    method: "get",
    path: "/v1/external-sources/{sourceId}",
    summary: "An external source",
    tags,
    credentials: ["tenant"],
    pathParameters: source,
    responses: { 200: { description: "the source, ETag = its version" } },
  },
  {
    method: "put",
    path: "/v1/external-sources/{sourceId}",
    summary: "Replace an external source's definition",
    description: bodyNote,
    tags,
    credentials: ["tenant"],
    pathParameters: source,
    headers: [{ name: "If-Match", description: "the source's version (its ETag): 409 when it moved on" }],
    requestBody: { contentTypes: json, schema: SourceSpecBody },
    responses: {
      200: { description: "the source, ETag = its version" },
      409: { description: "If-Match does not match" },
    },
  },
  {
    method: "delete",
    path: "/v1/external-sources/{sourceId}",
    summary: "Remove an external source (readings stop being enriched by it)",
    tags,
    credentials: ["tenant"],
    pathParameters: source,
    responses: { 204: { description: "removed" } },
  },
  {
    method: "put",
    path: "/v1/external-source-secrets/{name}",
    summary: "Store a secret for source options (write-only: never returned)",
    tags,
    credentials: ["tenant"],
    pathParameters: secret,
    requestBody: { contentTypes: json, schema: SecretBody },
    responses: { 204: { description: "stored" } },
  },
  {
    method: "get",
    path: "/v1/external-source-secrets",
    summary: "The tenant's secret names and when each was last set",
    tags,
    credentials: ["tenant"],
    responses: { 200: { description: "`{secrets: [{name, updatedAt}]}`, never values" } },
  },
  {
    method: "delete",
    path: "/v1/external-source-secrets/{name}",
    summary: "Delete a secret",
    tags,
    credentials: ["tenant"],
    pathParameters: secret,
    responses: { 204: { description: "deleted" } },
  },
  {
    method: "get",
    path: "/v1/devices/{deviceId}/enrichment",
    summary: "A device's latest enrichment values and each source's last outcome",
    tags,
    credentials: ["tenant", "device"],
    pathParameters: [{ name: "deviceId", description: "a device of the caller's tenant (a device key: its own)" }],
    responses: {
      200: {
        description: "`{deviceId, enrichment: {key: {value, ts, sourceId, fetchedAt}}, sources, lastEnrichedAt}`",
      },
    },
  },
];
