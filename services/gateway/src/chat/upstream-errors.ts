/**
 * Turns a non-2xx upstream answer into an UpstreamError, keeping the upstream's own message (for 4xx answers the
 * caller sees it: e.g. vLLM's "maximum context length" error). Reads at most 4 KiB of the body.
 */
import { UpstreamError, type UpstreamResponse } from "../upstreams/openai-client";

export async function upstreamFailure(res: UpstreamResponse): Promise<UpstreamError> {
  let message: string | undefined;
  try {
    const text = (await res.body.text()).slice(0, 4096);
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
      const m = typeof parsed.error === "object" ? parsed.error?.message : (parsed.error ?? parsed.message ?? parsed.detail);
      message = typeof m === "string" ? m.slice(0, 500) : undefined;
    } catch {
      message = text.slice(0, 200) || undefined;
    }
  } catch {
    message = undefined;
  }
  const s = res.status;
  const reason = s === 429 ? "status_429" : s >= 500 ? "status_5xx" : "status_4xx";
  return new UpstreamError(reason, `upstream answered ${s}`, s, message);
}
