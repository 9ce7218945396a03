/**
 * A small linear classifier over hashed character n-grams (3–5, within word boundaries) and word uni/bigrams —
 * the classic fastText/"hashing trick + logistic regression" baseline. It ships as a JSON weights file
 * (models/*.json, int8-quantized, ~90 KB) retrained by scripts/train-*.ts; inference is one pass over the
 * text's ~512-character windows, well under a millisecond per KB. Hand-rolled because no maintained npm package
 * offers hashed n-gram logistic regression without a native runtime (onnxruntime is not installed).
 */
import { readFileSync } from "node:fs";
import { modelTextOf } from "../text/normalize";
import { windowBounds } from "../text/windows";

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

/**
 * Scratch counts reused across calls (featurize is synchronous), with the list of touched slots. Counts fit
 * 16 bits (a window is ~512 characters, text/windows.ts: a few n-grams per character), and a 128 KB table stays in
 * cache better than a 256 KB Float32Array: the random increments here are the featurizer's main cost.
 * A count that would overflow saturates (never reached with the windows predict and train use).
 */
const scratch = new Uint16Array(DIMS);
/** One code point at lastIndex is a letter or a number (sticky): the non-ASCII case of the word scan. */
const WORD_CHAR = /[\p{L}\p{N}]/uy;

/**
 * Length in code units of the word character at `i` (1 or 2 for a surrogate pair), 0 when it is not one: the
 * same words as /[\p{L}\p{N}]+/gu, with an ASCII fast path (that regex's exec was the featurizer's top line).
 */
function wordCharAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : 0;
  WORD_CHAR.lastIndex = i;
  return WORD_CHAR.test(text) ? WORD_CHAR.lastIndex - i : 0;
}
const touched = new Int32Array(DIMS);
const SENTENCE_START = "<s>";

/** The injection and toxicity models featurize the same text back to back: remember the last one. */
let lastRaw: string | undefined;
let lastVector: SparseVector | undefined;
/** Output buffers for prediction's features (copied into the window cache below): no fresh arrays per call. */
const sharedIndex = new Int32Array(DIMS);
const sharedValue = new Float32Array(DIMS);

/**
 * Text → L1-normalized log-count hashed features (docs/decisions/0090): a linear score of L1-normalized features
 * is a weighted mean of its parts' scores, so joining benign texts into one window never scores above the most
 * suspicious of them (L2 normalization grew the score like the square root of the number of parts).
 */
export function featurize(raw: string): SparseVector {
  if (raw === lastRaw && lastVector) return lastVector;
  const vector = computeFeatures(raw, true);
  lastRaw = raw;
  lastVector = vector;
  return vector;
}

/** Math.log1p of small counts, precomputed (same values; log1p per touched slot showed in profiles). */
const LOG1P = Float64Array.from({ length: 1024 }, (_, k) => Math.log1p(k));

/** Slots touched so far by the featurization in progress (module state: featurize is synchronous). */
let nTouched = 0;
function bump(i: number): void {
  const c = scratch[i] as number;
  if (c === 0) touched[nTouched++] = i;
  if (c < 0xffff) scratch[i] = c + 1;
}

function computeFeatures(raw: string, owned: boolean): SparseVector {
  return featuresOfModelText(modelTextOf(raw), owned);
}

/** Features of text that is already normalized (modelTextOf). */
function featuresOfModelText(text: string, owned: boolean): SparseVector {
  nTouched = 0;
  // Word unigrams (seed 1) and bigrams (seed 2, "prev word"), and character 3-, 4- and 5-grams of " word ",
  // all hashed incrementally straight from `text`: the same FNV-1a values as hashing the substrings (so the
  // shipped weights stay valid) without allocating them (concatenated strings read char by char were the
  // hot spot).
  let prevStart = -1;
  let prevEnd = -1;
  for (let pos = 0; pos < text.length; ) {
    const first = wordCharAt(text, pos);
    if (first === 0) {
      pos++;
      continue;
    }
    const start = pos;
    pos += first;
    for (let w = wordCharAt(text, pos); w > 0 && pos < text.length; w = wordCharAt(text, pos)) pos += w;
    const end = pos;
    let hw = (0x811c9dc5 ^ 1) >>> 0;
    for (let i = start; i < end; i++) hw = fnvMul((hw ^ text.charCodeAt(i)) >>> 0);
    bump(hw & (DIMS - 1));
    let hb = (0x811c9dc5 ^ 2) >>> 0;
    if (prevStart < 0) for (let i = 0; i < 3; i++) hb = fnvMul((hb ^ SENTENCE_START.charCodeAt(i)) >>> 0);
    else for (let i = prevStart; i < prevEnd; i++) hb = fnvMul((hb ^ text.charCodeAt(i)) >>> 0);
    hb = fnvMul((hb ^ 32) >>> 0);
    for (let i = start; i < end; i++) hb = fnvMul((hb ^ text.charCodeAt(i)) >>> 0);
    bump(hb & (DIMS - 1));
    prevStart = start;
    prevEnd = end;
    for (let i = start - 1; i + 3 <= end + 1; i++) {
      let h = 0x811c9dc5;
      for (let n = 1; n <= 5 && i + n <= end + 1; n++) {
        const at = i + n - 1;
        h = fnvMul((h ^ (at < start || at >= end ? 32 : text.charCodeAt(at))) >>> 0);
        if (n >= 3) bump(((h ^ (SALT[n] as number)) >>> 0) & (DIMS - 1));
      }
    }
  }
  // Punctuation shape: delimiters and brackets matter for injections.
  for (const p of text.match(/[^\p{L}\p{N}\s]{1,3}/gu) ?? []) bump(fnv(p, 9) & (DIMS - 1));
  const index = owned ? new Int32Array(nTouched) : sharedIndex.subarray(0, nTouched);
  const value = owned ? new Float32Array(nTouched) : sharedValue.subarray(0, nTouched);
  let norm = 0;
  for (let k = 0; k < nTouched; k++) {
    const i = touched[k] as number;
    const c = scratch[i] as number;
    const v = c < LOG1P.length ? (LOG1P[c] as number) : Math.log1p(c);
    scratch[i] = 0;
    index[k] = i;
    value[k] = v;
    norm += v;
  }
  norm = norm || 1;
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

/** What the loader reads of a weights file (a JSON module's inferred type: numbers, not the literal 1). */
export type WeightsLike = Pick<WeightsFile, "bias" | "scale" | "weights"> & { readonly version: number; readonly dims: number };

export class LinearModel {
  constructor(
    readonly weights: Float32Array,
    readonly bias: number,
  ) {}

  static fromFile(path: string): LinearModel {
    return LinearModel.fromWeights(JSON.parse(readFileSync(path, "utf8")) as WeightsLike, path);
  }

  /**
   * From a weights file's content (a JSON module the detectors import, so that tsc emits it beside the compiled
   * code: the image holds dist/, not src/). `source` names it in errors.
   */
  static fromWeights(f: WeightsLike, source: string): LinearModel {
    if (f.version !== 1 || f.dims !== DIMS) throw new Error(`${source}: expected a version 1 weights file with dims ${DIMS}`);
    const q = new Int8Array(Buffer.from(f.weights, "base64").buffer.slice(0));
    if (q.length !== DIMS) throw new Error(`${source}: weights hold ${q.length} values, expected ${DIMS}`);
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
   * Probability of the positive class: the highest over the text's windows (text/windows.ts, ~512 characters),
   * so the score does not grow with length (docs/decisions/0090). A window with too few letters (a list of
   * numbers, a table of figures, hex) is out of the models' domain and scores 0: "0 1 2 … 199" is not toxic.
   */
  predict(text: string, memo?: FeatureMemo): number {
    const w = memo ? memoWindows(text, memo) : windowsOf(text);
    let best = 0;
    for (let k = 0; k < w.count; k++) {
      if (w.skip[k] === 1) continue;
      let z = this.bias;
      for (let j = w.offsets[k] as number; j < (w.offsets[k + 1] as number); j++) z += (this.weights[w.index[j] as number] as number) * (w.value[j] as number);
      best = Math.max(best, sigmoid(z));
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

/** Fewer letters than this share of the non-space characters (or than MIN_LETTERS): not prose, not scored. */
const MIN_LETTER_SHARE = 0.2;
const MIN_LETTERS = 8;

function proseLike(text: string, a: number, b: number): boolean {
  let letters = 0;
  let other = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) continue;
    if (((c | 32) >= 97 && (c | 32) <= 122) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !(c >= 0x2000 && c <= 0x2bff))) letters++;
    else other++;
  }
  return letters >= MIN_LETTERS && letters >= MIN_LETTER_SHARE * (letters + other);
}

/**
 * The windows' feature vectors of a text: computed in growable module buffers (no per-window garbage), then
 * kept as an owned copy in the ring below.
 */
export interface WindowFeatures {
  count: number;
  offsets: Int32Array;
  index: Int32Array;
  value: Float32Array;
  skip: Uint8Array;
}
const win: WindowFeatures = { count: 0, offsets: new Int32Array(65), index: new Int32Array(1 << 15), value: new Float32Array(1 << 15), skip: new Uint8Array(64) };

/**
 * One scan's memo of a text's window features (the pipeline makes one per text it scans, types.ts DetectorInput):
 * the injection and the toxicity model score the same text and featurize it once, however the scan interleaves
 * with other requests' scans.
 */
export interface FeatureMemo {
  text?: string;
  windows?: WindowFeatures;
}

function memoWindows(raw: string, memo: FeatureMemo): WindowFeatures {
  if (memo.text === raw && memo.windows) return memo.windows;
  const w = windowsOf(raw);
  memo.text = raw;
  memo.windows = w;
  return w;
}

/**
 * The window features of the last WINDOW_RING texts, owned copies compared by value: the injection and the
 * toxicity model score the same text, but the pipeline awaits between detectors, so under load other requests'
 * texts are featurized in between (a one-entry cache missed about half the time and the 1 KB row featurized every
 * prompt twice: the pipeline passes a FeatureMemo for that). The ring serves callers without a memo (streaming
 * windows scanned again at the answer's end, the evaluation scripts). The same shape as the normalizer's views.
 */
const WINDOW_RING = 8;
const winKeys: (string | undefined)[] = new Array<string | undefined>(WINDOW_RING).fill(undefined);
const winValues: (WindowFeatures | undefined)[] = new Array<WindowFeatures | undefined>(WINDOW_RING).fill(undefined);
let winNext = 0;

function windowsOf(raw: string): WindowFeatures {
  for (let i = 0; i < WINDOW_RING; i++) if (winKeys[i] === raw) return winValues[i] as WindowFeatures;
  const w = computeWindows(raw);
  const owned: WindowFeatures = { count: w.count, offsets: w.offsets.slice(0, w.count + 1), index: w.index.slice(0, w.offsets[w.count]), value: w.value.slice(0, w.offsets[w.count]), skip: w.skip.slice(0, w.count) };
  winKeys[winNext] = raw;
  winValues[winNext] = owned;
  winNext = (winNext + 1) % WINDOW_RING;
  return owned;
}

let computedTexts = 0;
/** How many texts have had their window features computed (tests and benchmarks: cache and memo hits don't count). */
export function windowFeaturizations(): number {
  return computedTexts;
}

/** Features of every window of `raw`, into the module buffers `win` (valid until the next call). */
function computeWindows(raw: string): WindowFeatures {
  computedTexts++;
  const text = modelTextOf(raw);
  const bounds = windowBounds(text);
  if (win.skip.length < bounds.length) {
    win.skip = new Uint8Array(bounds.length * 2);
    const o = new Int32Array(bounds.length * 2 + 1);
    win.offsets = o;
  }
  win.count = bounds.length;
  let at = 0;
  win.offsets[0] = 0;
  bounds.forEach(([a, b], k) => {
    const prose = proseLike(text, a, b);
    win.skip[k] = prose ? 0 : 1;
    if (prose) {
      const v = featuresOfModelText(a === 0 && b === text.length ? text : text.slice(a, b), false);
      if (at + v.index.length > win.index.length) {
        const size = Math.max(win.index.length * 2, at + v.index.length);
        const index = new Int32Array(size);
        const value = new Float32Array(size);
        index.set(win.index.subarray(0, at));
        value.set(win.value.subarray(0, at));
        win.index = index;
        win.value = value;
      }
      win.index.set(v.index, at);
      win.value.set(v.value, at);
      at += v.index.length;
    }
    win.offsets[k + 1] = at;
  });
  return win;
}

/** Training: the text's windows as owned vectors (the same windows predict scores). Non-prose windows are left out. */
export function featurizeWindows(raw: string, maxWindows = 4): SparseVector[] {
  const text = modelTextOf(raw);
  const bounds = windowBounds(text).filter(([a, b]) => proseLike(text, a, b));
  const step = Math.max(1, Math.ceil(bounds.length / maxWindows));
  const out: SparseVector[] = [];
  for (let k = 0; k < bounds.length && out.length < maxWindows; k += step) {
    const [a, b] = bounds[k] as readonly [number, number];
    out.push(featuresOfModelText(text.slice(a, b), true));
  }
  return out;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
