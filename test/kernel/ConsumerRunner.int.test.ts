// The ConsumerRunner suite and the ProcessedEvents contract against the real Kafka broker and MongoDB-wire server.
import { Layer } from "effect";
import { MongoClient } from "mongodb";
import { afterAll } from "vitest";
import { layerKafka } from "../../core/bus/EventBusKafka.ts";
import { Poked } from "../../core/consuming/consumerRunnerFixtures.ts";
import { consumerRunnerSuite } from "../../core/consuming/consumerRunnerSuite.ts";
import { layerDeadLettersMongo } from "../../core/consuming/DeadLettersMongo.ts";
import { layerProcessedEventsMongo } from "../../core/consuming/ProcessedEventsMongo.ts";
import { processedEventsContract } from "../../core/consuming/processedEventsContract.ts";
import { EventRegistry } from "../../core/events/EventRegistry.ts";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

const { mongodbUri, databaseName, kafkaBootstrapServers } = testEnvironment();
const client = new MongoClient(mongodbUri);
afterAll(() => client.close());

consumerRunnerSuite("Kafka + MongoDB", () => {
  const prefix = uniqueName("runner");
  return Layer.mergeAll(
    layerKafka({ bootstrapServers: kafkaBootstrapServers }),
    EventRegistry.layer(prefix, [Poked]),
    layerProcessedEventsMongo({ client, databaseName, collectionPrefix: `${prefix}_` }),
    layerDeadLettersMongo({ client, databaseName, collectionPrefix: `${prefix}_` }),
  );
});

processedEventsContract("MongoDB", () =>
  layerProcessedEventsMongo({ client, databaseName, collectionPrefix: `${uniqueName("processed")}_` }),
);
