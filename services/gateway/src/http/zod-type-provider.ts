/**
 * Zod schemas on Fastify routes: a validator compiler, a serializer compiler and a type provider.
 *
 * Hand-rolled (about 40 lines) rather than a package: fastify-type-provider-zod is not among our dependencies,
 * and TypeBox 1 ships only ES modules, which our CommonJS build and jest runtime cannot load. Zod also gives us
 * the issue path, so a 400 names the field ("messages[0].role"). See docs/decisions/0030-gateway-http-layer.md.
 */
import type { FastifySchemaCompiler, FastifyTypeProvider } from "fastify";
import type { FastifySerializerCompiler } from "fastify/types/schema";
import { z } from "zod";
import { GatewayError, formatParam } from "./errors";

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

/** Turns the first zod issue into a 400 that names the field and what was expected. */
export function validationError(error: z.ZodError, where: string): GatewayError {
  const issue = error.issues[0];
  const param = issue ? formatParam(issue.path) : "";
  const message = issue ? `${param || where}: ${issue.message}` : `invalid ${where}`;
  return new GatewayError(400, "invalid_request_error", message, param ? { param } : {});
}

export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!(schema instanceof z.ZodType)) throw new Error(`route ${httpPart ?? "?"} schema is not a zod schema`);
  return (data: unknown) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: validationError(result.error, httpPart ?? "body") };
  };
};

/** Responses are produced by our own code from typed values; serialization is plain JSON (no re-validation on the hot path). */
export const zodSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data: unknown) => JSON.stringify(data);
