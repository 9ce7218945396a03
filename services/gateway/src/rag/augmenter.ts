/**
 * The RagAugmenter the chat-completions route calls for requests with a `rag` field: retrieval for the last user
 * message, under the caller's groups, returning the augmented messages and their sources. The core generates
 * from `messages` and must compute its response-cache key from them (not from the original request), so a cached
 * answer is only ever served to a caller whose own retrieval produced the same documents.
 */
import type { ChatMessage, Principal, RagAugmentation, RagAugmenter, RagRequestOptions } from "../contracts";
import { RagError } from "./errors";
import { lastUserQuestion } from "./prompt";
import type { RagServices } from "./services";

export function createRagAugmenter(services: RagServices): RagAugmenter {
  const { pipeline } = services;
  return {
    async augment(
      request: { readonly model: string; readonly messages: readonly ChatMessage[]; readonly rag: RagRequestOptions },
      principal: Principal,
      signal: AbortSignal,
    ): Promise<RagAugmentation> {
      const started = performance.now();
      const rag: unknown = request.rag;
      if (typeof rag !== "object" || rag === null || Array.isArray(rag)) throw new RagError(400, "invalid_rag", "rag must be an object with a collection", "rag");
      if (typeof request.rag.collection !== "string") throw new RagError(400, "invalid_collection", "rag.collection must be a string", "rag.collection");
      const question = lastUserQuestion(request.messages);
      if (question === undefined) throw new RagError(400, "empty_query", "a request with rag needs a user message to retrieve for", "messages");
      const retrieval = await pipeline.retrieve(
        {
          collection: request.rag.collection,
          query: question,
          conversation: request.messages,
          model: request.model,
          ...(request.rag.top_k !== undefined ? { topK: request.rag.top_k } : {}),
          ...(request.rag.candidates !== undefined ? { candidates: request.rag.candidates } : {}),
          ...(request.rag.score_threshold !== undefined ? { scoreThreshold: request.rag.score_threshold } : {}),
          ...(request.rag.filters !== undefined ? { filters: request.rag.filters } : {}),
          route: "chat.completions",
        },
        principal,
        signal,
      );
      pipeline.finish(retrieval, request.rag.collection, started);
      return { messages: retrieval.messages, sources: retrieval.sources, degraded: retrieval.degraded, noContext: retrieval.noContext };
    },
  };
}
