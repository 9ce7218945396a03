/**
 * The POST /v1/chat/completions request body: the OpenAI fields the gateway reads or bounds, validated with zod.
 * Unknown fields pass through to vLLM (it accepts extensions such as top_k or guided_json); `rag` is the
 * gateway's own extension and is never sent upstream.
 */
import { z } from "zod";

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const otherPart = z.looseObject({ type: z.string().min(1).refine((t) => t !== "text", "text parts need a string `text`") });
const contentPart = z.union([textPart, otherPart]);

export const chatMessageSchema = z
  .looseObject({
    role: z.enum(["system", "developer", "user", "assistant", "tool"], { error: "must be one of system, developer, user, assistant, tool" }),
    content: z.union([z.string(), z.array(contentPart).min(1), z.null()]).optional(),
    name: z.string().max(256).optional(),
    tool_call_id: z.string().optional(),
    tool_calls: z.array(z.unknown()).optional(),
  })
  .superRefine((m, ctx) => {
    // As in the OpenAI document: only assistant messages may omit content (when they carry tool_calls).
    if (m.role !== "assistant" && (m.content === undefined || m.content === null)) {
      ctx.addIssue({ code: "custom", path: ["content"], message: `is required for ${m.role} messages` });
    }
    if (m.role === "tool" && m.tool_call_id === undefined) ctx.addIssue({ code: "custom", path: ["tool_call_id"], message: "is required for tool messages" });
  });

export const ragOptionsSchema = z.strictObject({
  collection: z.string().min(1).max(255),
  top_k: z.number().int().min(1).max(50).optional(),
  candidates: z.number().int().min(1).max(1000).optional(),
  score_threshold: z.number().min(0).max(1).optional(),
  filters: z.record(z.string(), z.unknown()).optional(),
});

const stop = z.union([z.string(), z.array(z.string()).min(1).max(4), z.null()]);

export const chatCompletionBodySchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty model name").max(256),
  messages: z.array(chatMessageSchema).min(1, "must contain at least one message").max(2048),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: stop.optional(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  user: z.string().max(256).optional(),
  response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }).optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  tool_choice: z.union([z.string(), z.looseObject({})]).optional(),
  rag: ragOptionsSchema.optional(),
});

export type ChatCompletionBody = z.output<typeof chatCompletionBodySchema>;

/** The non-streaming response, as the gateway returns it (vLLM's shape, model set to the alias). */
export const chatCompletionResponseSchema = z.looseObject({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number(),
      message: z.looseObject({ role: z.string(), content: z.string().nullable().optional() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).optional(),
});
export type ChatCompletionResponse = z.output<typeof chatCompletionResponseSchema>;

/** The text the caller sent (every text part of every message), for token counting and complexity. */
export function messagesText(messages: readonly { content?: unknown }[]): string {
  let out = "";
  for (const m of messages) {
    const c = m.content;
    if (typeof c === "string") out += c + "\n";
    else if (Array.isArray(c)) {
      for (const p of c as unknown[]) {
        if (p && typeof p === "object" && (p as { type?: unknown }).type === "text") {
          const text = (p as { text?: unknown }).text;
          if (typeof text === "string") out += text + "\n";
        }
      }
    }
  }
  return out;
}
