/** A tenant as its commands see it, folded from its stream: created or not, and its keys. */
import type { EventOf } from "../../core/index.ts";
import { tenantStreamId } from "./deviceFields.ts";
import type { IssuedKey } from "./deviceHistory.ts";
import { foldStream } from "./streamFold.ts";
import { tenantEvents } from "./tenantEvents.ts";

export interface TenantState {
  readonly created: boolean;
  readonly name: string;
  readonly keys: ReadonlyArray<IssuedKey>;
}

export const uncreatedTenant: TenantState = { created: false, name: "", keys: [] };

type TenantEvent = EventOf<(typeof tenantEvents)[number]>;

/**
 * @example
 * const state = events.reduce(evolveTenant, uncreatedTenant);
 */
export const evolveTenant = (state: TenantState, event: TenantEvent): TenantState => {
  switch (event.type) {
    case "TenantCreated":
      return { ...state, created: true, name: event.payload.name };
    case "TenantKeyIssued":
      return {
        ...state,
        keys: [...state.keys, { keyId: event.payload.keyId, keyHash: event.payload.keyHash, active: true }],
      };
    case "TenantKeyRevoked":
      return {
        ...state,
        keys: state.keys.map((key) => (key.keyId === event.payload.keyId ? { ...key, active: false } : key)),
      };
  }
};

/**
 * @example
 * const { state, streamVersion } = yield* loadTenant("acme");
 */
export const loadTenant = (tenantId: string) =>
  foldStream(tenantStreamId(tenantId), tenantEvents, uncreatedTenant, evolveTenant);
