/**
 * A signal that fires when the client goes away before the answer is complete, so upstream calls stop (and free
 * the GPU) instead of generating for nobody. A RequestAbort, not an AbortSignal (see src/request-abort.ts).
 */
import type { FastifyReply } from "fastify";
import { RequestAbort } from "../../request-abort";

export function clientAbortSignal(reply: FastifyReply): RequestAbort {
  const signal = new RequestAbort();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) signal.abort();
  });
  return signal;
}
