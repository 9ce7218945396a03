/**
 * The `guardrails` section of the gateway config file. (Initial shape; the guardrails work fills it in.)
 */
import { z } from "zod";

export const guardrailsConfigSchema = z
  .strictObject({
    /** Master switch. */
    enabled: z.boolean().default(true),
  })
  .prefault({});

export type GuardrailsConfig = z.output<typeof guardrailsConfigSchema>;
