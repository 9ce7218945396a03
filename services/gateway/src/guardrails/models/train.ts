/**
 * Training for LinearModel: logistic regression by mini-batch-free SGD with Adagrad step sizes, L2 decay and
 * balanced class weights, over hashed features. Deterministic (seeded shuffle). Used by scripts/train-*.ts.
 */
import { DIMS, LinearModel, featurizeWindows, sigmoid, type SparseVector } from "./linear-model";

export interface Example {
  readonly text: string;
  readonly label: 0 | 1;
  /** Sample weight in training (balances sources of very different sizes). @default 1 */
  readonly weight?: number;
}

/** A text's place in 0..1 by a hash: the same row always lands in the same part of any split. */
export function splitPoint(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1000) / 1000;
}

/** Deterministic split by a hash of the text: the same row is always in the same part. */
export function isHeldOut(text: string, fraction: number): boolean {
  return splitPoint(text) < fraction;
}

/**
 * The three parts of every labeled set (docs/decisions/0091): `validation` (splitPoint < 0.15) is never trained
 * on nor used to choose a threshold, and only reported; `dev` (0.15..0.30) chooses thresholds; `train` the rest.
 */
export type SplitPart = "validation" | "dev" | "train";
export const VALIDATION_FRACTION = 0.15;
export const DEV_FRACTION = 0.15;
export function splitOf(text: string): SplitPart {
  const p = splitPoint(text);
  return p < VALIDATION_FRACTION ? "validation" : p < VALIDATION_FRACTION + DEV_FRACTION ? "dev" : "train";
}

/** A small seeded PRNG (mulberry32): reproducible shuffles and splits. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function train(examples: readonly Example[], opts: { epochs?: number; lr?: number; l2?: number; seed?: number } = {}): LinearModel {
  const epochs = opts.epochs ?? 8;
  const lr = opts.lr ?? 0.5;
  const l2 = opts.l2 ?? 1e-5;
  const rand = mulberry32(opts.seed ?? 42);
  // Each example is trained on as the windows predict scores (up to 4 of them, text/windows.ts), so the
  // model learns what a ~512-character stretch of each class looks like, not what length looks like.
  const xs: { x: SparseVector; y: number; s: number }[] = examples.flatMap((e) => featurizeWindows(e.text).map((x) => ({ x, y: e.label, s: e.weight ?? 1 })));
  // Balanced classes by total sample weight (all weights 1: by count, as before).
  let total = 0;
  let pos = 0;
  for (const e of xs) {
    total += e.s;
    if (e.y === 1) pos += e.s;
  }
  const wPos = total / (2 * Math.max(1e-9, pos));
  const wNeg = total / (2 * Math.max(1e-9, total - pos));
  const w = new Float32Array(DIMS);
  const g2 = new Float32Array(DIMS).fill(1e-8);
  let bias = 0;
  let bg2 = 1e-8;
  const model = new LinearModel(w, 0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as (typeof xs)[number], xs[i] as (typeof xs)[number]];
    }
    for (const { x, y, s } of xs) {
      const p = sigmoid(model.logit(x) - model.bias + bias);
      const g = (p - y) * (y === 1 ? wPos : wNeg) * s;
      for (let k = 0; k < x.index.length; k++) {
        const i = x.index[k] as number;
        const grad = g * (x.value[k] as number) + l2 * (w[i] as number);
        g2[i] = (g2[i] as number) + grad * grad;
        w[i] = (w[i] as number) - (lr * grad) / Math.sqrt(g2[i] as number);
      }
      bg2 += g * g;
      bias -= (lr * g) / Math.sqrt(bg2);
    }
  }
  return new LinearModel(w, bias);
}

export interface BinaryScores {
  readonly n: number;
  readonly positives: number;
  readonly precision: number;
  readonly recall: number;
  readonly fpr: number;
  readonly f1: number;
}

export function binaryScores(pairs: readonly { predicted: boolean; label: 0 | 1 }[]): BinaryScores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const { predicted, label } of pairs) {
    if (predicted && label === 1) tp++;
    else if (predicted) fp++;
    else if (label === 1) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { n: pairs.length, positives: tp + fn, precision, recall, fpr: fp + tn === 0 ? 0 : fp / (fp + tn), f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
