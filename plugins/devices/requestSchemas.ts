/**
 * The schemas every request of this plugin is decoded with (decodeRequest: all issues
 * reported with their field paths, unknown fields refused). Query and path values arrive
 * as strings, so numbers are parsed here with a strict pattern: "NaN", "1e3" or "0x10"
 * are refused, not coerced.
 */
import { Schema, SchemaGetter } from "effect";
import {
  Attributes,
  DeviceId,
  DeviceStatus,
  DisplayName,
  GatewayFor,
  KeyId,
  Tag,
  Tags,
  TenantIdField,
} from "./deviceFields.ts";

export const maxPageSize = 500;

const PageSize = Schema.String.check(
  Schema.isPattern(/^[0-9]{1,4}$/, { message: `limit is a whole number from 1 to ${maxPageSize}` }),
).pipe(
  Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxPageSize })), {
    decode: SchemaGetter.transform((text: string) => Number(text)),
    encode: SchemaGetter.transform((size: number) => String(size)),
  }),
);

const BooleanFlag = Schema.Literals(["true", "false"]);

export const RegisterDeviceBody = Schema.Struct({
  deviceId: Schema.optionalKey(DeviceId),
  name: DisplayName,
  attributes: Schema.optionalKey(Attributes),
  tags: Schema.optionalKey(Tags),
  gatewayFor: Schema.optionalKey(GatewayFor),
});

export const ListDevicesQuery = Schema.Struct({
  tag: Schema.optionalKey(Tag),
  status: Schema.optionalKey(DeviceStatus),
  limit: Schema.optionalKey(PageSize),
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
});

export const IssueDeviceKeyQuery = Schema.Struct({ revokeOthers: Schema.optionalKey(BooleanFlag) });

export const DevicePath = Schema.Struct({ deviceId: DeviceId });
export const DeviceKeyPath = Schema.Struct({ deviceId: DeviceId, keyId: KeyId });

export const CreateTenantBody = Schema.Struct({ tenantId: TenantIdField, name: DisplayName });
export const TenantPath = Schema.Struct({ tenantId: TenantIdField });
export const TenantKeyPath = Schema.Struct({ tenantId: TenantIdField, keyId: KeyId });

/** Requests without query parameters still refuse unknown ones. */
export const NoQuery = Schema.Struct({});
