/**
 * The token-budgeted context: numbered document blocks, best first, added while they fit; each block's text is
 * fenced as data (spotlighting, below).
 *
 * Budget = min(maxContextTokens, contextLength - reservedAnswerTokens - promptTokens), where promptTokens counts
 * the question, the rest of the conversation and the prompt template (docs/decisions/0051-context-token-budget.md).
 * Counting: each chunk's token count is stored at ingestion for each tokenizer family (a Llama 3 or Mistral
 * count of 3,000 tokens costs 10-70 ms; the query path must not pay that); headers are counted live; a small
 * per-block margin covers BPE merges at block boundaries. The property test in test/rag/context.test.ts checks
 * the assembled context with the real tokenizer against the budget.
 */
import type { Tokenizer } from "../tokens/tokenizer";

/** A retrieved chunk on its way into the prompt. */
export interface ContextCandidate {
  readonly text: string;
  readonly source: string;
  readonly title: string;
  /** Token counts by tokenizer name, stored at ingestion. */
  readonly tokenCounts?: Readonly<Record<string, number>>;
}

export interface BuiltContext<T extends ContextCandidate> {
  /** The context text: blocks separated by a blank line. */
  readonly text: string;
  /** The candidates included, in order; block i is `[Document i+1]`. */
  readonly included: readonly T[];
  /** Estimated tokens of `text` (an upper bound of the real count). */
  readonly tokens: number;
}

/** Tokens added per block for merges across block boundaries (an over-estimate by design). */
const BLOCK_MARGIN = 3;
const SEPARATOR = "\n\n";

export interface BudgetInput {
  readonly contextLength: number;
  readonly reservedAnswerTokens: number;
  readonly maxContextTokens: number;
  /** Tokens of everything else in the prompt: template, conversation, question. */
  readonly promptTokens: number;
}

/** Tokens available for retrieved documents (may be <= 0 when the question alone fills the window). */
export function contextBudget(b: BudgetInput): number {
  return Math.min(b.maxContextTokens, b.contextLength - b.reservedAnswerTokens - b.promptTokens);
}

/**
 * Spotlighting (docs/decisions/0093): each document's text sits between fence lines the system rules name, so the
 * model can tell retrieved data from instructions. A fence-like sequence inside the text is broken up
 * (`<<<` → `<< <`), so a document cannot close its own fence and continue as instructions.
 */
export const fenceOpen = (n: number): string => `<<<DATA ${n}>>>`;
export const fenceClose = (n: number): string => `<<<END DATA ${n}>>>`;
const FENCE_LIKE = /<<<|>>>/g;

/** The text with fence-like sequences broken up; the same string when there are none. */
export function fenced(text: string): string {
  return text.includes("<<<") || text.includes(">>>") ? text.replace(FENCE_LIKE, (m) => (m === "<<<" ? "<< <" : "> >>")) : text;
}

/** The header line of block n. */
export function blockHeader(n: number, c: ContextCandidate): string {
  const title = c.title && c.title !== c.source ? ` — ${c.title}` : "";
  return `[Document ${n}] (Source: ${c.source}${title})`;
}

/** Token count of a chunk's text with this tokenizer: stored at ingestion when available, else counted. */
export function textTokens(c: ContextCandidate, tok: Tokenizer): number {
  const stored = c.tokenCounts?.[tok.name] ?? (tok.name === "llama2" ? c.tokenCounts?.mistral : tok.name === "mistral" ? c.tokenCounts?.llama2 : undefined);
  return typeof stored === "number" ? stored : tok.count(c.text);
}

/** Memoized counts of short, repeating strings (headers, separators, the prompt template) per tokenizer. */
const shortCounts = new Map<string, Map<string, number>>();
export function countShort(tok: Tokenizer, text: string): number {
  let m = shortCounts.get(tok.name);
  if (!m) shortCounts.set(tok.name, (m = new Map()));
  let n = m.get(text);
  if (n === undefined) {
    n = tok.count(text);
    if (m.size > 10_000) m.clear();
    m.set(text, n);
  }
  return n;
}

/**
 * Adds candidates in order while the running estimate stays within the budget. A candidate that does not fit is
 * skipped (a shorter one further down may still fit), so the most relevant documents that fit are used.
 */
export function buildContext<T extends ContextCandidate>(candidates: readonly T[], budget: number, tok: Tokenizer): BuiltContext<T> {
  const blocks: string[] = [];
  const included: T[] = [];
  let used = 0;
  const sep = countShort(tok, SEPARATOR);
  for (const c of candidates) {
    if (budget <= 0) break;
    const n = included.length + 1;
    const header = blockHeader(n, c);
    const body = fenced(c.text);
    // A text that had to be changed is counted live (its stored count is of the original).
    const bodyTokens = body === c.text ? textTokens(c, tok) : tok.count(body);
    const cost = (blocks.length > 0 ? sep : 0) + countShort(tok, `${header}\n${fenceOpen(n)}\n`) + bodyTokens + countShort(tok, `\n${fenceClose(n)}`) + 2 * BLOCK_MARGIN;
    if (used + cost > budget) continue;
    blocks.push(`${header}\n${fenceOpen(n)}\n${body}\n${fenceClose(n)}`);
    included.push(c);
    used += cost;
  }
  return { text: blocks.join(SEPARATOR), included, tokens: used };
}
