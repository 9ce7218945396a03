import { OpenApiValidator, SpecViolation } from "./openapi-validator";

describe("OpenApiValidator", () => {
  test("accepts a valid chat completion request and rejects one with a wrong type", () => {
    const v = OpenApiValidator.load("openai");
    expect(() =>
      v.validateRequest("POST", "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] }),
    ).not.toThrow();
    expect(() => v.validateRequest("POST", "/v1/chat/completions", { model: "m", messages: "hi" })).toThrow(SpecViolation);
  });

  test("TEI /embed and /rerank bodies", () => {
    const v = OpenApiValidator.load("text-embeddings-inference");
    expect(() => v.validateRequest("POST", "/embed", { inputs: ["a", "b"], normalize: true })).not.toThrow();
    expect(() => v.validateRequest("POST", "/rerank", { query: "q", texts: ["a"], truncate: true })).not.toThrow();
    expect(() => v.validateRequest("POST", "/rerank", { query: "q" })).toThrow(SpecViolation);
  });

  test("Qdrant upsert and query bodies, literal paths before parameterised ones", () => {
    const v = OpenApiValidator.load("qdrant");
    expect(v.operation("POST", "/collections/docs/points/delete").template).toBe("/collections/{collection_name}/points/delete");
    expect(() =>
      v.validateRequest("PUT", "/collections/docs/points?wait=true", {
        points: [{ id: "5c56c793-69f3-4fbf-87e6-c4bf54c28c26", vector: [0.1, 0.2], payload: { a: 1 } }],
      }),
    ).not.toThrow();
    expect(() => v.validateRequest("PUT", "/collections/docs/points", { points: [{ id: -1, vector: [0.1] }] })).toThrow(SpecViolation);
    expect(() => v.validateRequest("POST", "/collections/docs/points/query", { query: [0.1, 0.2], limit: 10, with_payload: true })).not.toThrow();
  });
});
