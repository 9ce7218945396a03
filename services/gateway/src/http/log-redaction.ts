/**
 * What a request log line says about the request. Fastify's default request serializer logs `req.url` whole, and
 * a query string can carry credentials (?api_key=, ?access_token=, ?key= from clients that put them there) or
 * prompt text, and so can a request target's userinfo (http://user:key@host/...), a fragment or matrix parameters
 * (;key=...): the gateway logs the path and, where there was more, only that there was.
 */

/** The userinfo of an absolute-form (http://user:key@host/...) or network-path (//user:key@host/...) target. */
const USERINFO = /^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/)[^/?#;@]*@/;
/** Where what can carry secrets starts: the query, a fragment (clients should not send one), matrix parameters. */
const TAIL = /[?#;]/;

/**
 * The URL as logs and error messages show it: its path, with "[redacted]" in place of any userinfo and of
 * everything from the first "?", "#" or ";" on.
 */
export function redactUrl(url: string): string {
  const path = url.replace(USERINFO, "$1[redacted]@");
  const cut = path.search(TAIL);
  return cut === -1 ? path : `${path.slice(0, cut + 1)}[redacted]`;
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
