/**
 * What a request log line says about the request. Fastify's default request serializer logs `req.url` whole, and
 * a query string can carry credentials (?api_key=, ?access_token=, ?key= from clients that put them there) or
 * prompt text: the gateway logs the path and, when there was a query, only that there was one.
 */

/** The URL as logs show it: its path, with "?[redacted]" in place of any query string. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}

/** The parts of a request the log shows (as Fastify's default serializer, with the query redacted). */
interface LoggedRequest {
  readonly [field: string]: unknown;
  readonly method: string;
  readonly url: string;
  readonly host?: string | undefined;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

/** A Fastify request as the serializer sees it (also accepts a raw IncomingMessage). */
interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number; readonly remoteAddress?: string } | null;
}

/** pino `serializers.req` for the gateway's loggers. */
export function requestSerializer(req: RequestLike): LoggedRequest {
  return {
    method: req.method ?? "",
    url: redactUrl(req.url ?? ""),
    host: req.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}
