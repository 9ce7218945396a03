/**
 * GET /v1/models: the models (and aliases, and "auto") this caller may use, in OpenAI's list format.
 * GET /v1/models/{model}: one of them (the SDK's models.retrieve()); a model the caller may not use is as unknown
 * as one that does not exist (404 model_not_found), as it is absent from the list.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../errors";
import type { ZodTypeProvider } from "../zod-type-provider";

const modelObject = z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() });
const modelsResponse = z.object({ object: z.literal("list"), data: z.array(modelObject) });
// A wildcard, not ":model": clients that do not percent-encode an id's slashes ("org/model") reach this route too,
// and ids longer than the router's parameter limit are unknown models, not a 414.
const modelParams = z.object({ "*": z.string() });

const CREATED = 1_700_000_000;

export async function modelsRoute(app: FastifyInstance): Promise<void> {
  const describe = (id: string): z.output<typeof modelObject> => ({ id, object: "model", created: CREATED, owned_by: app.config.models[id]?.external ? "external" : "llm-platform" });

  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/models",
    { schema: { response: { 200: modelsResponse } }, config: { scope: "models:read", routeId: "models.list" } },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new GatewayError(401, "missing_credentials", "authentication required");
      return { object: "list" as const, data: app.modelRouter.visibleModels(principal).map(describe) };
    },
  );

  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/models/*",
    { schema: { params: modelParams, response: { 200: modelObject } }, config: { scope: "models:read", routeId: "models.retrieve" } },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new GatewayError(401, "missing_credentials", "authentication required");
      const id = request.params["*"];
      if (!app.modelRouter.visibleModels(principal).includes(id)) {
        throw new GatewayError(404, "model_not_found", `The model '${id.slice(0, 200)}' does not exist or you do not have access to it`, { param: "model" });
      }
      return describe(id);
    },
  );
}
