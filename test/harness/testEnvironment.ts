/**
 * The real endpoints handed to integration tests by the global setup, plus names that
 * keep concurrent test files apart on the shared broker and database.
 *
 * @example
 * const { mongodbUri, databaseName } = testEnvironment();
 * const topic = uniqueName("smoke");
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";

export const testEnvironment = () => inject("testEnvironment");

/** A name no other test (or earlier run) uses: for topics, groups and collections. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export const eventually = async <A>(
  check: () => Promise<A | undefined> | A | undefined,
  { timeoutMs = 30_000, intervalMs = 50, what = "condition" } = {},
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

declare module "vitest" {
  export interface ProvidedContext {
    testEnvironment: {
      mongodbUri: string;
      databaseName: string;
      kafkaBootstrapServers: string;
    };
  }
}
