// Runs mongo:8 with testcontainers for as long as this process lives (Docker machines only).
// Writes the connection URI to the file named by argv[2]; testcontainers' reaper removes
// the container when this process ends, so stopping it by pid cleans up.
import { writeFileSync } from "node:fs";
import { GenericContainer, Wait } from "testcontainers";

const container = await new GenericContainer("mongo:8")
  .withExposedPorts(27017)
  .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
  .start();
writeFileSync(process.argv[2], `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/`);
const stop = async () => {
  await container.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setInterval(() => undefined, 1 << 30);
