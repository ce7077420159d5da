/** The devices plugin's operations in /openapi.json, described with the Schemas the routes decode with. */
import type { OperationSpec } from "../../core/index.ts";
import { DevicePatchBody } from "./devicePatch.ts";
import { CreateTenantBody, IssueDeviceKeyQuery, ListDevicesQuery, RegisterDeviceBody } from "./requestSchemas.ts";

const device = [{ name: "deviceId", description: "the device's id within the caller's tenant" }];
const deviceKey = [...device, { name: "keyId", description: "the key's public id (first 12 hex chars of its hash)" }];
const tenant = [{ name: "tenantId", description: "the tenant's id" }];

export const deviceOperations: ReadonlyArray<OperationSpec> = [
  {
    method: "post",
    path: "/admin/tenants",
    summary: "Create a tenant",
    tags: ["tenants"],
    credentials: ["admin"],
    requestBody: { contentTypes: ["application/json"], schema: CreateTenantBody },
    responses: { 201: { description: "created" } },
  },
  {
    method: "post",
    path: "/admin/tenants/{tenantId}/keys",
    summary: "Issue a tenant key (shown once)",
    tags: ["tenants"],
    credentials: ["admin"],
    pathParameters: tenant,
    responses: { 201: { description: "`{keyId, key}`; only the key's hash is stored" } },
  },
  {
    method: "delete",
    path: "/admin/tenants/{tenantId}/keys/{keyId}",
    summary: "Revoke a tenant key",
    tags: ["tenants"],
    credentials: ["admin"],
    pathParameters: [...tenant, { name: "keyId", description: "the key's public id" }],
    responses: { 204: { description: "revoked" } },
  },
  {
    method: "post",
    path: "/v1/devices",
    summary: "Register a device (its key is shown once)",
    tags: ["devices"],
    credentials: ["tenant"],
    requestBody: { contentTypes: ["application/json"], schema: RegisterDeviceBody },
    responses: { 201: { description: "`{device, key: {keyId, key}}`" } },
  },
  {
    method: "get",
    path: "/v1/devices",
    summary: "List the tenant's devices",
    tags: ["devices"],
    credentials: ["tenant"],
    query: ListDevicesQuery,
    responses: { 200: { description: "`{devices, nextCursor}`" } },
  },
  {
    method: "get",
    path: "/v1/devices/{deviceId}",
    summary: "A device with its last-seen time and latest values",
    tags: ["devices"],
    credentials: ["tenant"],
    pathParameters: device,
    responses: { 200: { description: "the device; ETag = its version" } },
  },
  {
    method: "patch",
    path: "/v1/devices/{deviceId}",
    summary: "Update name, attributes (merged; null removes) and tags",
    tags: ["devices"],
    credentials: ["tenant"],
    pathParameters: device,
    headers: [{ name: "If-Match", description: "the version the change is based on; 409 when it moved on" }],
    requestBody: { contentTypes: ["application/json"], schema: DevicePatchBody },
    responses: { 200: { description: "the updated device" } },
  },
  {
    method: "post",
    path: "/v1/devices/{deviceId}/decommission",
    summary: "Decommission a device (its keys are revoked, ingest refused)",
    tags: ["devices"],
    credentials: ["tenant"],
    pathParameters: device,
    responses: { 200: { description: "the decommissioned device" } },
  },
  {
    method: "post",
    path: "/v1/devices/{deviceId}/keys",
    summary: "Issue (rotate) a device key",
    tags: ["devices"],
    credentials: ["tenant"],
    pathParameters: device,
    query: IssueDeviceKeyQuery,
    responses: { 201: { description: "`{keyId, key}`, shown once" } },
  },
  {
    method: "delete",
    path: "/v1/devices/{deviceId}/keys/{keyId}",
    summary: "Revoke a device key",
    tags: ["devices"],
    credentials: ["tenant"],
    pathParameters: deviceKey,
    responses: { 204: { description: "revoked" } },
  },
];
