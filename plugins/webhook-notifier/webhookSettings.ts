/**
 * The webhook notifier's settings, from environment variables (Effect Config):
 * ANANSKY_WEBHOOK_ALLOWED_HOSTS (comma-separated `host` or `host:port` that may be
 * loopback/private or plain http; default none) and ANANSKY_WEBHOOK_TIMEOUT_MS (per
 * delivery attempt, default 10000).
 */
import { Config, Effect } from "effect";

export interface WebhookSettings {
  readonly allowedHosts: ReadonlyArray<string>;
  readonly timeoutMs: number;
}

/**
 * @example
 * const { allowedHosts } = readWebhookSettings();
 */
export const readWebhookSettings = (): WebhookSettings =>
  Effect.runSync(
    Effect.gen(function* () {
      const hosts = yield* Config.String("ANANSKY_WEBHOOK_ALLOWED_HOSTS").pipe(Config.withDefault(""));
      const timeoutMs = yield* Config.Int("ANANSKY_WEBHOOK_TIMEOUT_MS").pipe(Config.withDefault(10_000));
      return {
        allowedHosts: hosts
          .split(",")
          .map((host) => host.trim())
          .filter((host) => host !== ""),
        timeoutMs: Math.max(100, timeoutMs),
      };
    }).pipe(Effect.orDie),
  );
