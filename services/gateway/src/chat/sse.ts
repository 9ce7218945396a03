/**
 * Server-sent events, both directions. The reader turns an upstream body into the `data:` payload of each event
 * as soon as the event is complete (never waiting for the whole answer). Hand-rolled because it is a dozen lines
 * of the WHATWG event-stream format and no SSE parser is among our runtime dependencies.
 */
export async function* readSseData(body: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  let data: string[] = [];
  for await (const chunk of body) {
    buf += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      let line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      // event:, id:, retry: and comments are not used by the OpenAI chat stream.
    }
  }
  if (data.length) yield data.join("\n");
}

/** One SSE event carrying JSON (or the literal [DONE]). */
export function sseEvent(data: string): string {
  return `data: ${data}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";

/**
 * Relays `events`, waiting one event-loop turn (setImmediate) after the first, so the first event reaches the socket
 * before the rest of an upstream read is processed: Node's HTTP response corks its socket on each write until the
 * next tick, and when several upstream events arrive in one read the relay produces them all in one run of
 * microtasks, which held the first byte back until the whole read had been re-serialized (decision 0089).
 */
export async function* firstEventFlushed(events: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const e of events) {
    yield e;
    if (first) {
      first = false;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
