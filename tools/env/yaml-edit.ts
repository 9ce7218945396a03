/**
 * In-place edits of a parsed YAML document (the `yaml` package's Document API) that keep comments: a scalar
 * keeps its node (and so its quoting and the comment above it), a replaced collection keeps its flow or block
 * style. A comment on the same line as a value that changes described the old value, so it is dropped and returned
 * for the reviewer.
 */
import { isCollection, isScalar, type Document } from "yaml";

/**
 * Sets the value at `path`, creating missing maps on the way. Returns the trailing comment it dropped because
 * the value changed, if any.
 */
export function setIn(doc: Document, path: ReadonlyArray<string | number>, value: unknown): string | undefined {
  const existing = doc.getIn(path, true);
  const isComposite = value !== null && typeof value === "object";
  const changed = JSON.stringify(getIn(doc, path)) !== JSON.stringify(value);
  let dropped: string | undefined;
  if ((isScalar(existing) || isCollection(existing)) && changed && existing.comment) {
    dropped = existing.comment.trim();
    existing.comment = undefined;
  }
  if (isScalar(existing) && !isComposite) {
    existing.value = value;
    return dropped;
  }
  const node = doc.createNode(value);
  if (isCollection(existing) && isCollection(node)) {
    node.flow = existing.flow ?? false;
    node.comment = existing.comment;
    node.commentBefore = existing.commentBefore;
  }
  doc.setIn(path, node);
  return dropped;
}

/** The plain value at `path`, or undefined. */
export function getIn(doc: Document, path: ReadonlyArray<string | number>): unknown {
  const v = doc.getIn(path, false);
  return v !== null && typeof v === "object" && "toJSON" in v ? (v as { toJSON(): unknown }).toJSON() : v;
}
