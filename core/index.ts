/**
 * Anansky's kernel: the public entry that plugins and services import. Plugins import
 * from here only (and from other plugins' public entries for their extension points).
 */

export { ApiKeyRecord, apiKeysCollection, generateApiKey, hashApiKey, type Principal } from "./auth/ApiKeys.ts";
export { authenticate, forgetCachedKeys, requireKind } from "./auth/authenticate.ts";
export { EventBusUnavailable } from "./bus/Errors.ts";
export { EventBus, type IncomingMessage, type OutgoingMessage, type SubscribeOptions } from "./bus/EventBus.ts";
export { EventHeaders, eventToMessage, messageToEvent } from "./bus/eventMessages.ts";
export { AppConfig, type AppConfigValues, decodeAppConfig } from "./config/AppConfig.ts";
export { ConfigInvalid } from "./config/Errors.ts";
export { type ConsumerGroupSpec, type RegisteredHandler, runConsumerGroup } from "./consuming/ConsumerRunner.ts";
export { DeadLetter, DeadLetters } from "./consuming/DeadLetters.ts";
export { PermanentFailure } from "./consuming/Errors.ts";
export { ProcessedEvents } from "./consuming/ProcessedEvents.ts";
export { defaultRetryPolicy, type RetryPolicy, withRetries } from "./consuming/retryPolicy.ts";
export { sha256Hex } from "./encoding/hex.ts";
export {
  defineEvent,
  type EventDefinition,
  type EventMeta,
  type EventOf,
  type TypedEvent,
  type Upcaster,
} from "./events/defineEvent.ts";
export { EventDecodeError } from "./events/Errors.ts";
export { EventEnvelope, type PendingEvent, StreamId, TenantId } from "./events/EventEnvelope.ts";
export { derivedEventId, EventId, eventIdTimestamp, newEventId } from "./events/EventId.ts";
export { type AnyEventDefinition, EventRegistry } from "./events/EventRegistry.ts";
export { decodeRequest, fieldIssues } from "./http/decodeRequest.ts";
export {
  Conflict,
  type FieldIssue,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  Unauthorized,
  ValidationFailed,
} from "./http/Errors.ts";
export { type Credential, type OperationSpec, openApiDocument } from "./http/openApi.ts";
export { problemResponse } from "./http/problemResponses.ts";
export { callerOf, etagOf, ifMatchVersion, readJsonBody, singleValuedQuery } from "./http/requestInput.ts";
export { type ConsumerLagOptions, layerConsumerLagMetrics } from "./observability/consumerLag.ts";
export {
  type CircuitState,
  type ExternalSourceOutcome,
  latencyBucketsSeconds,
  PlatformMetrics,
  recordCircuitState,
  recordDeadLetter,
  recordExternalSourceCall,
  recordHandled,
  recordIngestRejected,
  recordOpenAlerts,
  recordReadingsIngested,
  recordUnpublishedBacklog,
  registerPlatformMetrics,
  timeExternalSourceCall,
  trackAppend,
  trackHandling,
} from "./observability/platformMetrics.ts";
export {
  continueTrace,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  type TraceparentParts,
  traceIdOf,
} from "./observability/traceContext.ts";
export {
  displayUrl,
  type OutboundError,
  OutboundRefused,
  OutboundResponseTooLarge,
  OutboundTimeout,
  OutboundUnreachable,
} from "./outbound/Errors.ts";
export { effectivePort, type HostPattern, isHostAllowed, parseHostPattern } from "./outbound/hostPatterns.ts";
export {
  type AddressClass,
  type AddressRange,
  classifyAddress,
  type IpAddress,
  parseAddressRange,
  parseIpAddress,
} from "./outbound/ipAddresses.ts";
export {
  checkUrl,
  jsonResponse,
  type OutboundHeaderValue,
  OutboundHttp,
  type OutboundMethod,
  type OutboundRequest,
  type OutboundResponse,
  responseJson,
  responseText,
  revealHeaders,
} from "./outbound/OutboundHttp.ts";
export {
  checkAddress,
  checkDestination,
  defaultOutboundPolicy,
  OutboundAddressRangeList,
  OutboundHostList,
  type OutboundPolicy,
  parseAddressRanges,
  parseHostPatterns,
} from "./outbound/outboundPolicy.ts";
export {
  definePlugin,
  type Plugin,
  type PluginApi,
  type RouteContext,
} from "./plugins/definePlugin.ts";
export { PluginLoadError } from "./plugins/Errors.ts";
export { defineExtensionPoint, type ExtensionContributions, type ExtensionPoint } from "./plugins/ExtensionPoint.ts";
export { importPluginModules, type LoadedPlugin, type LoadedPlugins, loadPlugins } from "./plugins/loadPlugins.ts";
export type { PluginServices } from "./plugins/PluginServices.ts";
export { applyProjectionBatch, foldUntilVisible } from "./projections/applyProjectionBatch.ts";
export { batchedGet, perStore } from "./projections/batchedGets.ts";
export {
  type AnyProjection,
  type DocumentOf,
  defineProjection,
  type ProjectionDefinition,
  type StoredForm,
} from "./projections/defineProjection.ts";
export {
  InvalidReadModelQuery,
  ReadModelConstraintViolation,
  ReadModelStoreUnavailable,
} from "./projections/Errors.ts";
export {
  type DocumentWrite,
  type ProjectionCheckpoint,
  type ReadModelFilter,
  ReadModelStore,
  type ReadModelView,
  type StreamManyOptions,
} from "./projections/ReadModelStore.ts";
export { compareStoredIds } from "./projections/storedIdOrder.ts";
export { EventWriter, stampCurrentTraceparent } from "./publishing/EventWriter.ts";
export { Publisher, type PublisherOptions } from "./publishing/Publisher.ts";
export { type BatchedLoads, makeBatchedLoads, makeBatchedWrites } from "./store/batching.ts";
export { ConcurrencyError, EventStoreUnavailable } from "./store/Errors.ts";
export {
  EventStore,
  type ExpectedVersion,
  type ReadAllOptions,
  type StreamAppend,
  type StreamAppendOutcome,
} from "./store/EventStore.ts";
