/**
 * Starts the external-source simulator in this process: what in-process tests use instead of
 * spawning main.ts. Loopback only unless told otherwise.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { ControlSettings, ControlSettingsPatch } from "./controlSettings.ts";
import { createFaultInjector } from "./faults.ts";
import { simulatorApp } from "./simulatorApp.ts";
import { createRequestStats, type Stats } from "./stats.ts";

export interface ExternalSourceSimulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined;
  /** Defaults to 127.0.0.1: the simulator redirects anywhere and serves huge bodies on request. */
  readonly host?: string | undefined;
  /** Seed of the error-rate sequence; defaults to 1. */
  readonly seed?: number | undefined;
  /** Clock for the weather's time bucket; defaults to the real time. */
  readonly now?: (() => Date) | undefined;
}

/** A running simulator. */
export interface ExternalSourceSimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Same as `POST /_control`: a partial update; throws InvalidControlSettings for a bad one. */
  readonly control: (settings: ControlSettingsPatch) => void;
  /** Same as `GET /_control`. */
  readonly settings: () => ControlSettings;
  /** Same as `POST /_control/reset`. */
  readonly resetControl: () => void;
  /** Same as `GET /_stats`. */
  readonly stats: () => Stats;
  /** Same as `POST /_stats/reset`. */
  readonly resetStats: () => void;
  /** Ends hanging and slow requests, drops every connection, stops listening. Safe to call twice. */
  readonly close: () => Promise<void>;
}

const urlOf = (address: AddressInfo): string =>
  `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

/**
 * @example
 * const simulator = await startExternalSourceSimulator({ seed: 42 });
 * try {
 *   simulator.control({ outage: true, outageMode: "hang" });
 *   // ... run the enrichment against `${simulator.url}/weather`, expect a timeout ...
 *   expect(simulator.stats().byPath["/weather"]).toBe(1);
 * } finally {
 *   await simulator.close();
 * }
 */
export const startExternalSourceSimulator = async (
  options: ExternalSourceSimulatorOptions = {},
): Promise<ExternalSourceSimulator> => {
  const faults = createFaultInjector(options.seed ?? 1);
  const stats = createRequestStats();
  const shutdown = new AbortController();
  const app = simulatorApp({ faults, stats, now: options.now ?? (() => new Date()), shutdown: shutdown.signal });
  // createAdaptorServer without TLS or HTTP/2 options builds a plain node:http server.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      shutdown.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: urlOf(server.address() as AddressInfo),
    control: (settings) => {
      faults.update(settings);
    },
    settings: faults.settings,
    resetControl: () => {
      faults.reset();
    },
    stats: stats.snapshot,
    resetStats: stats.reset,
    close,
  };
};
