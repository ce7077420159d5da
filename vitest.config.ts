import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,plugins,services,observability,test}/**/*.test.ts"],
    globalSetup: ["test/harness/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: more workers only contend with the broker and the database.
    maxWorkers: 2,
  },
});
