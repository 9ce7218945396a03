/**
 * Span-level scoring as presidio-research's evaluator does it for entities: a predicted span is a true
 * positive when it overlaps a gold span of the same entity type by more than half of their union (IoU > 0.5),
 * each gold span matched at most once; unmatched predictions are false positives, unmatched gold spans false
 * negatives.
 */
export interface Span {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export function iou(a: Span, b: Span): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

export function scoreSpans(gold: readonly Span[], predicted: readonly Span[], types: readonly string[], into: Map<string, Counts>): void {
  for (const t of types) {
    const g = gold.filter((s) => s.type === t);
    const p = predicted.filter((s) => s.type === t);
    const used = new Set<number>();
    const c = into.get(t) ?? { tp: 0, fp: 0, fn: 0 };
    for (const x of p) {
      let best = -1;
      let bestIou = 0.5;
      g.forEach((y, i) => {
        const v = iou(x, y);
        if (!used.has(i) && v > bestIou) {
          best = i;
          bestIou = v;
        }
      });
      if (best >= 0) {
        used.add(best);
        c.tp++;
      } else c.fp++;
    }
    c.fn += g.length - used.size;
    into.set(t, c);
  }
}

export function prf(c: Counts): { precision: number; recall: number; f1: number } {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
