/**
 * OpenAPI 3.1 from the same Schemas that validate requests: plugins describe their
 * operations (`api.openapi(...)`), and the platform serves the document at /openapi.json.
 */
import { Schema } from "effect";

export type Credential = "admin" | "tenant" | "device" | "none";

/** One HTTP operation, described with the Schemas its route decodes with. */
export interface OperationSpec {
  readonly method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path, e.g. `/v1/devices/{deviceId}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly tags?: ReadonlyArray<string> | undefined;
  /** Which credentials may call it (Authorization: Bearer …). */
  readonly credentials: ReadonlyArray<Credential>;
  readonly pathParameters?: ReadonlyArray<{ readonly name: string; readonly description: string }> | undefined;
  readonly query?: Schema.Top | undefined;
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly description: string }> | undefined;
  readonly requestBody?: { readonly contentTypes: ReadonlyArray<string>; readonly schema: Schema.Top } | undefined;
  /** Status → description and, when there is a body, its Schema. */
  readonly responses: Readonly<
    Record<number, { readonly description: string; readonly schema?: Schema.Top | undefined }>
  >;
}

type JsonObject = Record<string, unknown>;

const problemSchema: JsonObject = {
  type: "object",
  description: "RFC 9457 problem details",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", properties: { field: { type: "string" }, reason: { type: "string" } } },
    },
  },
  required: ["type", "title", "status"],
};

const securitySchemes: JsonObject = {
  admin: { type: "http", scheme: "bearer", description: "the platform's ANANSKY_ADMIN_TOKEN" },
  tenant: { type: "http", scheme: "bearer", description: "a tenant API key (ak_t_…)" },
  device: { type: "http", scheme: "bearer", description: "a device API key (ak_d_…)" },
};

// JSON Schema documents keep their shared definitions under $defs; OpenAPI wants them in components.
const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string"
        ? inner.replace("#/$defs/", "#/components/schemas/")
        : rewriteRefs(inner),
    ]),
  );
};

const toJsonSchema = (schema: Schema.Top, components: JsonObject): unknown => {
  const document = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" });
  for (const [name, definition] of Object.entries(document.definitions)) components[name] = rewriteRefs(definition);
  return rewriteRefs(document.schema);
};

const queryParameters = (query: Schema.Top, components: JsonObject) => {
  const json = toJsonSchema(query, components) as { properties?: JsonObject; required?: ReadonlyArray<string> };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: (json.required ?? []).includes(name),
    schema,
  }));
};

const operationObject = (operation: OperationSpec, components: JsonObject): JsonObject => {
  const parameters = [
    ...(operation.pathParameters ?? []).map((p) => ({
      name: p.name,
      in: "path",
      required: true,
      description: p.description,
      schema: { type: "string" },
    })),
    ...(operation.query === undefined ? [] : queryParameters(operation.query, components)),
    ...(operation.headers ?? []).map((h) => ({
      name: h.name,
      in: "header",
      required: false,
      description: h.description,
      schema: { type: "string" },
    })),
  ];
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema === undefined
        ? {}
        : { content: { "application/json": { schema: toJsonSchema(response.schema, components) } } }),
    };
  }
  responses.default = {
    description:
      "An error: bad input (400), credentials (401, 403), not found (404), conflict (409), limits (413, 429)",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
  const requestBody = operation.requestBody;
  return {
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    ...(operation.tags === undefined ? {} : { tags: operation.tags }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(requestBody === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              requestBody.contentTypes.map((type) => [type, { schema: toJsonSchema(requestBody.schema, components) }]),
            ),
          },
        }),
    responses,
    security: operation.credentials.includes("none") ? [] : operation.credentials.map((c) => ({ [c]: [] })),
  };
};

/**
 * @example
 * const document = openApiDocument({ title: "Anansky", version: "0.1.0", operations });
 */
export const openApiDocument = (options: {
  readonly title: string;
  readonly version: string;
  readonly operations: ReadonlyArray<OperationSpec>;
}): JsonObject => {
  const components: JsonObject = { Problem: problemSchema };
  const paths: Record<string, JsonObject> = {};
  for (const operation of options.operations) {
    paths[operation.path] = {
      ...(paths[operation.path] ?? {}),
      [operation.method]: operationObject(operation, components),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version },
    paths,
    components: { schemas: components, securitySchemes },
  };
};
