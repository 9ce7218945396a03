/**
 * Collections are created with the replication and write consistency the environment sets (rag.collection), so a
 * drained Qdrant pod hides no data: the creation request carries them (the stand-in checks it against Qdrant's
 * OpenAPI document), and a write consistency above the replication factor is refused at config load.
 */
import { ragConfigSchema } from "../../src/rag/config";
import { auth, corpus, startHarness } from "./support/harness";

test("a new collection is created with the configured replication_factor and write_consistency_factor", async () => {
  const h = await startHarness({ config: { collection: { replicationFactor: 2, writeConsistencyFactor: 2 } } });
  try {
    const res = await h.call({ method: "POST", url: "/v1/collections/replicated/documents", headers: auth("admin"), payload: { documents: corpus.slice(0, 1) } });
    expect(res.statusCode).toBe(200);
    const create = h.qdrant.requests.find((r) => r.method === "PUT" && r.path === "/collections/replicated");
    expect(create?.body).toMatchObject({ replication_factor: 2, write_consistency_factor: 2 });
    expect(h.qdrant.violations).toEqual([]);
  } finally {
    await h.close();
  }
});

test("a write consistency above the replication factor is refused naming the field", () => {
  const r = ragConfigSchema.safeParse({ enabled: true, collection: { replicationFactor: 2, writeConsistencyFactor: 3 } });
  expect(r.success).toBe(false);
  expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["collection.writeConsistencyFactor", "collection.writeConsistencyFactor must not exceed collection.replicationFactor"]]);
});
