/**
 * Which text of a chat request gets scanned. Every user and tool message (configurable roles): string content,
 * and the `text` of each text part of a content array; other parts (images, audio, files) pass untouched.
 * Malformed content (a part that is not an object, a text part whose text is not a string, nested arrays) is a
 * 400 naming the field: never scanned-around and never silently passed.
 */
import type { ChatMessage } from "../contracts";
import type { ResolvedPolicy } from "./config";
import { GuardrailInputError } from "./types";

/** One scanned piece of a message. */
export interface ScanUnit {
  readonly messageIndex: number;
  /** Index in the content array; undefined for string content. */
  readonly partIndex?: number;
  /** Well-formed text (lone surrogates replaced by U+FFFD, same length). */
  readonly text: string;
  readonly injectionOnly: boolean;
  /** Content the caller did not write (a `tool` message: tool output, fetched pages): scanned as data. */
  readonly data: boolean;
}

/** Lone surrogates → U+FFFD (one code unit for one, so offsets stay valid). */
export function wellFormed(text: string): string {
  // ES2024 String methods, present in Node 20; the project's lib is ES2022, hence the narrow cast.
  const s = text as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return s.isWellFormed() ? text : s.toWellFormed();
}

export interface Extracted {
  readonly units: readonly ScanUnit[];
  /** More text to scan than `limits.maxScanChars` (only when `oversize` is "block"; "reject" throws 413). */
  readonly oversize: boolean;
}

export function extractUnits(messages: readonly ChatMessage[], policy: ResolvedPolicy): Extracted {
  if (!Array.isArray(messages)) throw new GuardrailInputError(400, "invalid_content", "messages must be an array", "messages");
  const units: ScanUnit[] = [];
  let total = 0;
  messages.forEach((m, i) => {
    if (typeof m !== "object" || m === null) throw new GuardrailInputError(400, "invalid_content", `messages[${i}] must be an object`, `messages[${i}]`);
    const full = policy.input.roles.includes(m.role);
    const injectionOnly = !full && policy.input.injectionOnlyRoles.includes(m.role);
    const content: unknown = m.content;
    if (content === null || content === undefined) return;
    const add = (text: string, partIndex?: number): void => {
      if (!full && !injectionOnly) return;
      total += text.length;
      if (total > policy.limits.maxScanChars && policy.limits.oversize === "reject") {
        throw new GuardrailInputError(413, "input_too_large", `the messages hold more than ${policy.limits.maxScanChars} characters of text to scan`, "messages");
      }
      if (text.length > 0) units.push({ messageIndex: i, ...(partIndex === undefined ? {} : { partIndex }), text: wellFormed(text), injectionOnly, data: m.role === "tool" });
    };
    if (typeof content === "string") return add(content);
    if (!Array.isArray(content)) throw new GuardrailInputError(400, "invalid_content", `messages[${i}].content must be a string, an array of content parts or null`, `messages[${i}].content`);
    content.forEach((part: unknown, j: number) => {
      const where = `messages[${i}].content[${j}]`;
      if (typeof part !== "object" || part === null || Array.isArray(part)) throw new GuardrailInputError(400, "invalid_content", `${where} must be a content part object with a type`, where);
      const p = part as { type?: unknown; text?: unknown };
      if (typeof p.type !== "string") throw new GuardrailInputError(400, "invalid_content", `${where}.type must be a string`, `${where}.type`);
      if (p.type !== "text") return;
      if (typeof p.text !== "string") throw new GuardrailInputError(400, "invalid_content", `${where}.text must be a string`, `${where}.text`);
      add(p.text, j);
    });
  });
  return { units, oversize: total > policy.limits.maxScanChars };
}
