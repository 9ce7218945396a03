/**
 * Qdrant's replicas hold copies of the data only when collections are created with a replication factor: the
 * environment's platform.qdrant settings reach the gateway's config (rag.collection), which creates collections.
 */
import { ENVIRONMENTS, platformStackOf, withChange } from "./fixtures";

const collectionOf = (name: string, change: Parameters<typeof withChange>[1] = () => undefined) =>
  (platformStackOf(withChange(ENVIRONMENTS.find((e) => e.name === name)!, change)).gateway.config.rag as { collection?: unknown }).collection;

test("with several Qdrant replicas each shard has two copies; a single replica keeps one", () => {
  expect(ENVIRONMENTS.find((e) => e.name === "prod")!.platform.qdrant.replicas).toBe(3);
  expect(collectionOf("prod")).toEqual({ replicationFactor: 2, writeConsistencyFactor: 1 });
  expect(collectionOf("dev")).toEqual({ replicationFactor: 1, writeConsistencyFactor: 1 });
});

test("an explicit replication and write consistency are passed through", () => {
  expect(collectionOf("prod", (e) => Object.assign(e.platform.qdrant, { replicationFactor: 3, writeConsistencyFactor: 2 }))).toEqual({ replicationFactor: 3, writeConsistencyFactor: 2 });
});
