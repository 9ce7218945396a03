/**
 * A small linear classifier over hashed character n-grams (3–5, within word boundaries) and word uni/bigrams —
 * the classic fastText/"hashing trick + logistic regression" baseline. It ships as a JSON weights file
 * (models/*.json, int8-quantized, ~90 KB) retrained by scripts/train-*.ts; inference is one pass over the
 * text (capped windows), well under a millisecond per KB. Hand-rolled because no maintained npm package
 * offers hashed n-gram logistic regression without a native runtime (onnxruntime is not installed).
 */
import { readFileSync } from "node:fs";
import { canonical, unleet } from "../text/normalize";

export const DIMS = 1 << 16;

/**
 * h × 16777619 mod 2^32 (the FNV prime) by shifts and adds: equal to Math.imul(h, 0x01000193) >>> 0, but
 * Math.imul is not inlined inside jest's VM context (175 ns a call there), and this is the hottest line.
 */
function fnvMul(h: number): number {
  return (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
}

/** FNV-1a, 32-bit. */
function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = fnvMul((h ^ s.charCodeAt(i)) >>> 0);
  return h;
}

/** Per n-gram length salts (n = 3, 4, 5). */
const SALT = [0, 0, 0, Math.imul(3, 0x9e3779b1), Math.imul(4, 0x9e3779b1), Math.imul(5, 0x9e3779b1)];

export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float32Array;
}

/** Text → L2-normalized log-count hashed features. */
/** Scratch counts reused across calls (featurize is synchronous), with the list of touched slots. */
const scratch = new Float32Array(DIMS);
const WORDS = /[\p{L}\p{N}]+/gu;
const touched = new Int32Array(DIMS);

/** The injection and toxicity models featurize the same text back to back: remember the last one. */
let lastRaw: string | undefined;
let lastVector: SparseVector | undefined;

export function featurize(raw: string): SparseVector {
  if (raw === lastRaw && lastVector) return lastVector;
  const vector = computeFeatures(raw);
  lastRaw = raw;
  lastVector = vector;
  return vector;
}

function computeFeatures(raw: string): SparseVector {
  const text = unleet(canonical(raw));
  let nTouched = 0;
  const bump = (i: number): void => {
    if (scratch[i] === 0) touched[nTouched++] = i;
    scratch[i] = (scratch[i] as number) + 1;
  };
  const add = (key: string, seed: number): void => bump(fnv(key, seed) & (DIMS - 1));
  // Character 3-, 4- and 5-grams of " word ", hashed incrementally straight from `text` (no substrings:
  // concatenated strings read char by char were the hot spot).
  const code = (start: number, end: number, i: number): number => (i < start || i >= end ? 32 : text.charCodeAt(i));
  let prev = "<s>";
  WORDS.lastIndex = 0;
  for (let m = WORDS.exec(text); m !== null; m = WORDS.exec(text)) {
    const w = m[0];
    const start = m.index;
    const end = start + w.length;
    add(w, 1);
    add(prev + " " + w, 2);
    prev = w;
    for (let i = start - 1; i + 3 <= end + 1; i++) {
      let h = 0x811c9dc5;
      for (let n = 1; n <= 5 && i + n <= end + 1; n++) {
        h = fnvMul((h ^ code(start, end, i + n - 1)) >>> 0);
        if (n >= 3) bump(((h ^ (SALT[n] as number)) >>> 0) & (DIMS - 1));
      }
    }
  }
  // Punctuation shape: delimiters and brackets matter for injections.
  for (const p of text.match(/[^\p{L}\p{N}\s]{1,3}/gu) ?? []) add(p, 9);
  const index = new Int32Array(nTouched);
  const value = new Float32Array(nTouched);
  let norm = 0;
  for (let k = 0; k < nTouched; k++) {
    const i = touched[k] as number;
    const v = Math.log1p(scratch[i] as number);
    scratch[i] = 0;
    index[k] = i;
    value[k] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < value.length; j++) value[j] = (value[j] as number) / norm;
  return { index, value };
}

export interface WeightsFile {
  readonly version: 1;
  readonly task: string;
  readonly dims: number;
  readonly bias: number;
  /** weights = int8 * scale */
  readonly scale: number;
  /** base64 of DIMS int8 values. */
  readonly weights: string;
  /** How it was trained and what it scored on held-out data. */
  readonly meta: Record<string, unknown>;
}

export class LinearModel {
  constructor(
    readonly weights: Float32Array,
    readonly bias: number,
  ) {}

  static fromFile(path: string): LinearModel {
    const f = JSON.parse(readFileSync(path, "utf8")) as WeightsFile;
    if (f.version !== 1 || f.dims !== DIMS) throw new Error(`${path}: expected a version 1 weights file with dims ${DIMS}`);
    const q = new Int8Array(Buffer.from(f.weights, "base64").buffer.slice(0));
    if (q.length !== DIMS) throw new Error(`${path}: weights hold ${q.length} values, expected ${DIMS}`);
    const w = new Float32Array(DIMS);
    for (let i = 0; i < DIMS; i++) w[i] = (q[i] as number) * f.scale;
    return new LinearModel(w, f.bias);
  }

  logit(x: SparseVector): number {
    let z = this.bias;
    for (let j = 0; j < x.index.length; j++) z += (this.weights[x.index[j] as number] as number) * (x.value[j] as number);
    return z;
  }

  /**
   * Probability of the positive class. Long texts are scored in overlapping windows, the highest wins; past
   * `maxWindows` the windows are spread evenly over the text (the model is one layer among several: the
   * rules and every other detector still read all of it), which bounds its cost on huge inputs.
   */
  predict(text: string, window = 4000, maxWindows = 12): number {
    if (text.length <= window) return sigmoid(this.logit(featurize(text)));
    const stride = Math.max(window - 200, Math.ceil((text.length - window) / (maxWindows - 1)));
    let best = 0;
    for (let start = 0; ; start += stride) {
      const from = Math.min(start, text.length - window);
      best = Math.max(best, sigmoid(this.logit(featurize(text.slice(from, from + window)))));
      if (from + window >= text.length) break;
    }
    return best;
  }

  toFile(task: string, meta: Record<string, unknown>): WeightsFile {
    let max = 0;
    for (const v of this.weights) max = Math.max(max, Math.abs(v));
    const scale = max / 127 || 1;
    const q = new Int8Array(DIMS);
    for (let i = 0; i < DIMS; i++) q[i] = Math.round((this.weights[i] as number) / scale);
    return { version: 1, task, dims: DIMS, bias: this.bias, scale, weights: Buffer.from(q.buffer).toString("base64"), meta };
  }
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
