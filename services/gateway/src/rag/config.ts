/**
 * The `rag` section of the gateway config file. (Initial shape; the RAG work fills it in.)
 */
import { z } from "zod";

export const ragConfigSchema = z
  .strictObject({
    /** Master switch. */
    enabled: z.boolean().default(false),
  })
  .prefault({});

export type RagConfig = z.output<typeof ragConfigSchema>;
