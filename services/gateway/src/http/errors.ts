/**
 * The one error type the gateway throws toward HTTP: a status, a stable machine-readable `code`, the request
 * field at fault (`param`) and a message safe to show the caller. The error handler renders every error as an
 * OpenAI-style body: {"error":{"message","type","code","param"}}.
 */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "service_unavailable"
  | "upstream_error"
  | "api_error";

export interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

export function typeForStatus(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status === 503) return "service_unavailable";
  if (status === 502 || status === 504) return "upstream_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "api_error";
}

export class GatewayError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly options: {
      /** The request field at fault, e.g. "messages[0].role". */
      readonly param?: string;
      /** Extra response headers (Retry-After, WWW-Authenticate, x-ratelimit-*). */
      readonly headers?: Readonly<Record<string, string>>;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
  }

  get param(): string | undefined {
    return this.options.param;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.options.headers ?? {};
  }

  toBody(): ErrorBody {
    return errorBody(this.statusCode, this.code, this.message, this.param);
  }
}

export function errorBody(status: number, code: string, message: string, param?: string): ErrorBody {
  return { error: { message, type: typeForStatus(status), code, param: param ?? null } };
}

/** Renders a zod-style path (["messages", 0, "role"]) as "messages[0].role". */
export function formatParam(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}
