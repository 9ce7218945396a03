/**
 * The shape of a document to ingest, validated one item at a time so one bad document in a batch fails alone
 * with a message naming its field. Also the collection-name rule shared by every route.
 */
import { z } from "zod";

/** Collection names: Qdrant accepts more, we keep them URL- and log-safe. */
export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** Document ids: printable, no whitespace or slashes (they appear in URLs). */
export const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,255}$/;

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const documentSchema = z.strictObject({
  id: z.string().regex(DOCUMENT_ID, "expected 1-256 characters: letters, digits and _ . : @ + - (starting with a letter or digit)"),
  text: z.string().refine((t) => t.trim().length > 0, "document has no text"),
  metadata: z.strictObject({
    /** Access groups: only callers in one of them retrieve the document. Required: there is no implicit "everyone". */
    groups: z.array(z.string().min(1).max(128)).min(1, "at least one access group is required"),
    title: z.string().max(500).optional(),
    source: z.string().max(2000).optional(),
    tags: z.array(z.string().min(1).max(128)).max(64).optional(),
    lang: z.string().min(2).max(16).optional(),
    /** Anything else, stored with each chunk and returned to nobody but the store. */
    extra: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
  }),
});

export type IngestDocument = z.output<typeof documentSchema>;

/** "metadata.groups: at least one access group is required" from a zod error. */
export function describeIssues(error: z.ZodError): { message: string; param: string } {
  const first = error.issues[0];
  const param = first ? first.path.map(String).join(".") : "";
  const message = error.issues.map((i) => `${i.path.map(String).join(".") || "(document)"}: ${i.message}`).join("; ");
  return { message, param };
}
