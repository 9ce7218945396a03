/**
 * The error RAG code throws toward HTTP: a status, a stable machine-readable code, and a message safe to show the
 * caller. Routes render it as an OpenAI-style body: {"error":{"message","type","code","param"}}.
 */
export type RagErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "not_found_error" | "service_unavailable" | "api_error";

export class RagError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The request field at fault, when there is one (e.g. "filters.source"). */
    readonly param?: string,
  ) {
    super(message);
    this.name = "RagError";
  }

  get type(): RagErrorType {
    if (this.statusCode === 401) return "authentication_error";
    if (this.statusCode === 403) return "permission_error";
    if (this.statusCode === 404) return "not_found_error";
    if (this.statusCode === 503) return "service_unavailable";
    if (this.statusCode >= 400 && this.statusCode < 500) return "invalid_request_error";
    return "api_error";
  }

  /** The OpenAI-style error body. */
  toBody(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param ?? null } };
  }
}
