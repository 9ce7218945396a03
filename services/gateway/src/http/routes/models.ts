/** GET /v1/models: the models (and aliases, and "auto") this caller may use, in OpenAI's list format. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../errors";
import type { ZodTypeProvider } from "../zod-type-provider";

const modelsResponse = z.object({
  object: z.literal("list"),
  data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })),
});

const CREATED = 1_700_000_000;

export async function modelsRoute(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/models",
    { schema: { response: { 200: modelsResponse } }, config: { scope: "models:read", routeId: "models.list" } },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new GatewayError(401, "missing_credentials", "authentication required");
      const data = app.modelRouter.visibleModels(principal).map((id) => ({ id, object: "model" as const, created: CREATED, owned_by: app.config.models[id]?.external ? "external" : "llm-platform" }));
      return { object: "list" as const, data };
    },
  );
}
