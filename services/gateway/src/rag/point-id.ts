/**
 * Deterministic Qdrant point ids: a name-based (version 5, SHA-1) UUID of "<document id>#<chunk index>" in a
 * fixed namespace, so re-ingesting a document overwrites its chunks in place. Hand-rolled on node:crypto (RFC 9562
 * section 5.5 is a dozen lines) rather than adding the `uuid` package as a dependency.
 */
import { createHash } from "node:crypto";

/** The namespace of RAG chunk ids (itself a random v4 UUID, fixed forever: changing it re-keys every point). */
export const CHUNK_NAMESPACE = "6f1c8a52-3d4e-4b7a-9c2f-0e5d7b1a4c93";

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

/** RFC 9562 UUID version 5 of a name in a namespace. */
export function uuidV5(name: string, namespace: string = CHUNK_NAMESPACE): string {
  const hash = createHash("sha1").update(uuidBytes(namespace)).update(name, "utf8").digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The point id of a document's chunk. */
export function chunkPointId(documentId: string, chunkIndex: number): string {
  return uuidV5(`${documentId}#${chunkIndex}`);
}
