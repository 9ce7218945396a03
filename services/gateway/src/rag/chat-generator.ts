/**
 * Adapts the gateway core's ChatService (src/chat/chat-service.ts) to RagGenerator, so POST /v1/rag/query
 * generates through the same limits, guardrails, routing, fallbacks and response cache as any chat request.
 * The cache key is computed by the chat service from the augmented messages, which contain the retrieved
 * documents: a cached answer is only served to a caller whose own retrieval (under their groups) produced the
 * same documents. The chat service records the llm_generation span itself, nested under rag_query.
 */
import type { Context } from "@opentelemetry/api";
import type { ChatService } from "../chat/chat-service";
import type { ChatCompletionBody } from "../chat/request-schema";
import type { Principal } from "../contracts";
import type { GenerationChunk, GenerationResult, GenerationUsage, RagGenerator } from "./generator";

/**
 * The headers POST /v1/chat/completions sends beside the chat service's own (src/http/routes/chat-completions.ts):
 * the cache result and the model that answered. A streamed answer is never served from the cache ("bypass").
 */
function answerHeaders(headers: Readonly<Record<string, string>>, cache: string, model: string): Record<string, string> {
  return { ...headers, "x-cache": cache, "x-gateway-model": model };
}

const ZERO: GenerationUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

interface ChunkJson {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null } }>;
  usage?: GenerationUsage | null;
  error?: { message?: string; code?: string };
}

/** A RagGenerator backed by the core's chat service. */
export function chatServiceGenerator(chat: Pick<ChatService, "complete" | "stream">): RagGenerator {
  return {
    tracesGeneration: true,
    async complete(req, principal: Principal, signal, traceContext?: Context): Promise<GenerationResult> {
      const body = { model: req.model, messages: [...req.messages], ...(req.max_tokens ? { max_tokens: req.max_tokens } : {}) } as ChatCompletionBody;
      const result = await chat.complete(body, principal, signal, { route: "rag.query", ...(traceContext ? { traceContext } : {}) });
      const content = result.response.choices[0]?.message.content;
      const usage = result.response.usage as GenerationUsage | undefined;
      return { text: typeof content === "string" ? content : "", model: result.model, usage: usage ?? ZERO, headers: answerHeaders(result.headers, result.cache, result.model) };
    },
    async *stream(req, principal, signal, traceContext?: Context): AsyncIterable<GenerationChunk> {
      const body = {
        model: req.model,
        messages: [...req.messages],
        stream: true,
        stream_options: { include_usage: true },
        ...(req.max_tokens ? { max_tokens: req.max_tokens } : {}),
      } as ChatCompletionBody;
      const s = await chat.stream(body, principal, signal, { route: "rag.query", ...(traceContext ? { traceContext } : {}) });
      // The input's headers are final once the stream is open (the answer's flags cannot be known before its
      // last byte, after the head is out: the chat route sends the same streamed headers).
      yield { delta: "", model: s.model, headers: answerHeaders(s.headers, "bypass", s.model) };
      for await (const frame of s.events) {
        for (const line of frame.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") return;
          const json = JSON.parse(data) as ChunkJson;
          if (json.error) throw Object.assign(new Error(json.error.message ?? "generation failed"), { statusCode: 502, code: json.error.code ?? "upstream_error" });
          const delta = json.choices?.[0]?.delta?.content ?? "";
          if (delta || json.usage) yield { delta, model: s.model, ...(json.usage ? { usage: json.usage } : {}) };
        }
      }
    },
  };
}
