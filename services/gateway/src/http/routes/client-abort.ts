/**
 * An AbortSignal that fires when the client goes away before the answer is complete, so upstream calls stop
 * (and free the GPU) instead of generating for nobody.
 */
import type { FastifyReply } from "fastify";

export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return ac.signal;
}
