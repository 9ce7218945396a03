/**
 * A minimal OpenAI-compatible model server for the RAG tests (until the core's stand-in is shared): validates each
 * /v1/chat/completions request against the OpenAI spec and answers deterministically from the prompt: it quotes
 * the first sentence of [Document 1] and cites it, or says it does not know when the prompt has no documents.
 * Streamed answers are split into word chunks, each validated as a CreateChatCompletionStreamResponse.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenApiValidator } from "../../support/openapi-validator";

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  max_tokens?: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** The loopback model's answer to a prompt. */
export function loopbackAnswer(messages: ChatRequestBody["messages"]): string {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const m = /\[Document 1\] \(Source: [^)]*\)\n(?:<<<DATA 1>>>\n)?([\s\S]*?)(?:\n<<<END DATA 1>>>|\n\n\[Document 2\]|$)/.exec(system);
  if (!m) return "I don't know.";
  const line = (m[1] ?? "").split("\n").find((l) => l.trim() !== "" && !l.startsWith("#")) ?? "";
  const sentence = line.split(/(?<=[.!?])\s/)[0] ?? "";
  return `${sentence} [1]`;
}

export class OpenAiLoopback {
  readonly requests: ChatRequestBody[] = [];
  readonly violations: string[] = [];
  private readonly validator = OpenApiValidator.load("openai");
  private server: Server | undefined;

  static async start(): Promise<OpenAiLoopback> {
    const s = new OpenAiLoopback();
    const server = createServer((req, res) => {
      void (async () => {
        const raw = await readBody(req);
        const path = (req.url ?? "").split("?")[0] ?? "";
        let body: ChatRequestBody;
        try {
          body = JSON.parse(raw) as ChatRequestBody;
          s.validator.validateRequest(req.method ?? "POST", path, body);
        } catch (e) {
          s.violations.push((e as Error).message);
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: (e as Error).message, type: "invalid_request_error", code: null, param: null } }));
          return;
        }
        s.requests.push(body);
        const answer = loopbackAnswer(body.messages);
        const prompt = body.messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0);
        const completion = answer.split(/\s+/).length;
        const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
        const created = Math.floor(Date.now() / 1000);
        if (!body.stream) {
          const out = {
            id: "chatcmpl-loopback",
            object: "chat.completion",
            created,
            model: body.model,
            choices: [{ index: 0, message: { role: "assistant", content: answer, refusal: null }, finish_reason: "stop", logprobs: null }],
            usage,
          };
          try {
            s.validator.validateResponse("POST", path, 200, out);
          } catch (e) {
            s.violations.push(`response: ${(e as Error).message}`);
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(out));
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        const words = answer.split(/(?<= )/);
        const chunks = [
          ...words.map((w) => ({ id: "chatcmpl-loopback", object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })),
          { id: "chatcmpl-loopback", object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
          { id: "chatcmpl-loopback", object: "chat.completion.chunk", created, model: body.model, choices: [], usage },
        ];
        for (const c of chunks) {
          try {
            s.validator.validateComponent("CreateChatCompletionStreamResponse", c);
          } catch (e) {
            s.violations.push(`chunk: ${(e as Error).message}`);
          }
          res.write(`data: ${JSON.stringify(c)}\n\n`);
        }
        res.end("data: [DONE]\n\n");
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    s.server = server;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
