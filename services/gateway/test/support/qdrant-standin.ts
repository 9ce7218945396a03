/**
 * A loopback stand-in for Qdrant's REST API with real behaviour: collections hold points in memory, vectors are
 * normalized on write for Cosine (as Qdrant does) and queries rank by cosine, filters are evaluated (must / should /
 * must_not / min_should; match value / any / except / text, range, has_id, is_empty, nested filters; keys may be
 * dotted paths and match array payloads element-wise). Every request is validated against the official OpenAPI
 * document (shared/specs/qdrant) and so is every response; violations are answered 422 and recorded.
 * `stop()` / `start()` take it down and bring it back on the same port with its data.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer, receiveJson, type RecordedRequest } from "./loopback-server";
import { OpenApiValidator, SpecViolation } from "./openapi-validator";

type Json = Record<string, unknown>;
type PointId = string | number;

export interface StoredPoint {
  readonly id: PointId;
  readonly vector: number[];
  readonly payload: Json;
}

export interface StandinCollection {
  readonly config: Json;
  readonly points: Map<string, StoredPoint>;
  readonly indexes: Map<string, unknown>;
}

export type { RecordedRequest };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function asArray<T>(v: T | T[] | null | undefined): T[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Values at a dotted payload path; arrays are flattened, as Qdrant matches any element. */
function valuesAt(payload: Json, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const part of key.replace(/\[\]/g, "").split(".")) {
    current = current.flatMap((v) => (v && typeof v === "object" && !Array.isArray(v) ? asArray((v as Json)[part] as unknown) : []));
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function matchCondition(point: StoredPoint, c: Json): boolean {
  if ("has_id" in c) return (c.has_id as PointId[]).some((id) => String(id) === String(point.id));
  if ("must" in c || "should" in c || "must_not" in c || "min_should" in c) return matchFilter(point, c);
  if ("is_empty" in c) return valuesAt(point.payload, (c.is_empty as { key: string }).key).length === 0;
  if ("is_null" in c) return valuesAt(point.payload, (c.is_null as { key: string }).key).some((v) => v === null);
  if ("nested" in c) throw new HttpError(400, "stand-in does not implement nested conditions");
  if (typeof c.key !== "string") throw new HttpError(400, `unsupported condition ${JSON.stringify(c)}`);
  const values = valuesAt(point.payload, c.key);
  const match = c.match as Json | undefined | null;
  if (match) {
    if ("value" in match) return values.some((v) => v === match.value);
    if ("any" in match) return values.some((v) => (match.any as unknown[]).includes(v));
    if ("except" in match) return values.length > 0 && values.some((v) => !(match.except as unknown[]).includes(v));
    if ("text" in match) return values.some((v) => typeof v === "string" && v.includes(String(match.text)));
    throw new HttpError(400, `unsupported match ${JSON.stringify(match)}`);
  }
  const range = c.range as Json | undefined | null;
  if (range) {
    return values.some((v) => {
      if (typeof v !== "number") return false;
      if (typeof range.gt === "number" && !(v > range.gt)) return false;
      if (typeof range.gte === "number" && !(v >= range.gte)) return false;
      if (typeof range.lt === "number" && !(v < range.lt)) return false;
      if (typeof range.lte === "number" && !(v <= range.lte)) return false;
      return true;
    });
  }
  throw new HttpError(400, `unsupported field condition on ${c.key}`);
}

/** Qdrant's filter semantics. */
export function matchFilter(point: StoredPoint, filter: Json | null | undefined): boolean {
  if (!filter) return true;
  const must = asArray(filter.must as Json | Json[] | null);
  const should = asArray(filter.should as Json | Json[] | null);
  const mustNot = asArray(filter.must_not as Json | Json[] | null);
  if (!must.every((c) => matchCondition(point, c))) return false;
  if (should.length > 0 && !should.some((c) => matchCondition(point, c))) return false;
  if (mustNot.some((c) => matchCondition(point, c))) return false;
  const minShould = filter.min_should as { conditions: Json[]; min_count: number } | null | undefined;
  if (minShould && minShould.conditions.filter((c) => matchCondition(point, c)).length < minShould.min_count) return false;
  return true;
}

function normalize(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return n === 0 ? v : v.map((x) => x / n);
}


export class QdrantStandin extends LoopbackServer {
  readonly collections = new Map<string, StandinCollection>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly validator = OpenApiValidator.load("qdrant");
  private opId = 0;

  static async start(): Promise<QdrantStandin> {
    const s = new QdrantStandin();
    await s.start();
    return s;
  }


  /** Points of a collection (empty when it does not exist). */
  points(collection: string): StoredPoint[] {
    return [...(this.collections.get(collection)?.points.values() ?? [])];
  }



  private send(res: ServerResponse, method: string, path: string, status: number, body: unknown, resultSchema?: string): void {
    try {
      this.validator.validateResponse(method, path, status, body);
    } catch (e) {
      if (e instanceof SpecViolation) this.violations.push(`response: ${e.message}`);
      // The 200 envelopes of Qdrant's document are inline schemas with OpenAPI 3.0 `nullable` that the shared
      // validator does not normalize (ajv then refuses to compile them); validate the `result` against its
      // component schema instead, which is where the content is.
      else if (resultSchema) {
        try {
          this.validator.validateComponent(resultSchema, (body as { result?: unknown }).result);
        } catch (inner) {
          this.violations.push(`response: ${(inner as Error).message}`);
        }
      } else if (status === 200 && typeof (body as { result?: unknown }).result !== "boolean") {
        this.violations.push(`response: cannot validate ${method} ${path}: ${(e as Error).message}`);
      }
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private ok(res: ServerResponse, method: string, path: string, result: unknown, schema?: string): void {
    this.send(res, method, path, 200, { time: 0.0001, status: "ok", result }, schema);
  }

  private collection(name: string): StandinCollection {
    const c = this.collections.get(name);
    if (!c) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return c;
  }

  private update(): Json {
    return { operation_id: ++this.opId, status: "completed" };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, body, error } = await receiveJson(req, this.validator, this.requests, this.violations);
    if (error !== undefined) return this.send(res, method, path, 422, { status: { error }, time: 0 });
    try {
      this.route(method, path, (body as Json | undefined) ?? {}, res);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      this.send(res, method, path, status, { status: { error: (e as Error).message }, time: 0 });
    }
  }

  private route(method: string, path: string, body: Json, res: ServerResponse): void {
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (method === "GET" && path === "/") return void this.send(res, method, path, 200, { title: "qdrant - vector search engine", version: "1.19.0" });
    if (!m) throw new HttpError(404, `stand-in does not serve ${method} ${path}`);
    const name = decodeURIComponent(m[1] ?? "");
    const rest = m[2] ?? "";
    const schemaFor: Record<string, string> = {
      "/exists": "CollectionExistence",
      "/index": "UpdateResult",
      "/points": "UpdateResult",
      "/points/delete": "UpdateResult",
      "/points/count": "CountResult",
      "/points/scroll": "ScrollResult",
      "/points/query": "QueryResponse",
    };
    const reply = (result: unknown): void => this.ok(res, method, path, result, typeof result === "boolean" ? undefined : schemaFor[rest]);

    if (rest === "/exists" && method === "GET") return reply({ exists: this.collections.has(name) });
    if (rest === "" && method === "PUT") {
      if (this.collections.has(name)) throw new HttpError(400, `Wrong input: Collection \`${name}\` already exists!`);
      this.collections.set(name, { config: body, points: new Map(), indexes: new Map() });
      return reply(true);
    }
    if (rest === "" && method === "DELETE") return reply(this.collections.delete(name));
    const c = this.collection(name);
    const vectors = c.config.vectors as { size: number; distance: string };
    if (rest === "/index" && method === "PUT") {
      c.indexes.set(String(body.field_name), body.field_schema);
      return reply(this.update());
    }
    if (rest === "/points" && method === "PUT") {
      const points = body.points as Array<{ id: PointId; vector: unknown; payload?: Json | null }> | undefined;
      if (!points) throw new HttpError(400, "stand-in accepts the points-list form only");
      for (const p of points) {
        if (!Array.isArray(p.vector) || p.vector.length !== vectors.size || !p.vector.every((x) => typeof x === "number")) {
          throw new HttpError(400, `Wrong input: Vector dimension error: expected dim: ${vectors.size}, got ${Array.isArray(p.vector) ? p.vector.length : "non-array"}`);
        }
      }
      for (const p of points) {
        const v = p.vector as number[];
        c.points.set(String(p.id), { id: p.id, vector: vectors.distance === "Cosine" ? normalize(v) : v, payload: p.payload ?? {} });
      }
      return reply(this.update());
    }
    if (rest === "/points/delete" && method === "POST") {
      if (Array.isArray(body.points)) for (const id of body.points as PointId[]) c.points.delete(String(id));
      else if (body.filter) for (const [k, p] of [...c.points]) if (matchFilter(p, body.filter as Json)) c.points.delete(k);
      return reply(this.update());
    }
    const filter = (body.filter ?? null) as Json | null;
    const withPayload = body.with_payload;
    const shape = (p: StoredPoint, score?: number): Json => ({
      id: p.id,
      ...(score !== undefined ? { score, version: 1 } : {}),
      payload: withPayload === false ? null : p.payload,
      ...(body.with_vector === true ? { vector: p.vector } : {}),
    });
    if (rest === "/points/count" && method === "POST") return reply({ count: [...c.points.values()].filter((p) => matchFilter(p, filter)).length });
    if (rest === "/points/scroll" && method === "POST") {
      const limit = typeof body.limit === "number" ? body.limit : 10;
      const all = [...c.points.values()].filter((p) => matchFilter(p, filter)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
      const start = body.offset !== undefined && body.offset !== null ? all.findIndex((p) => String(p.id) === String(body.offset)) : 0;
      const page = all.slice(Math.max(0, start), Math.max(0, start) + limit);
      const next = all[Math.max(0, start) + limit];
      return reply({ points: page.map((p) => shape(p)), next_page_offset: next ? next.id : null });
    }
    if ((rest === "/points/query" || rest === "/points/search") && method === "POST") {
      const query = rest === "/points/query" ? body.query : body.vector;
      if (!Array.isArray(query) || !query.every((x) => typeof x === "number")) throw new HttpError(400, "stand-in supports dense vector queries only");
      if (query.length !== vectors.size) throw new HttpError(400, `Wrong input: Vector dimension error: expected dim: ${vectors.size}, got ${query.length}`);
      const q = vectors.distance === "Cosine" ? normalize(query as number[]) : (query as number[]);
      const limit = typeof body.limit === "number" ? body.limit : 10;
      const threshold = typeof body.score_threshold === "number" ? body.score_threshold : -Infinity;
      const scored = [...c.points.values()]
        .filter((p) => matchFilter(p, filter))
        .map((p) => ({ p, score: p.vector.reduce((s, x, i) => s + x * (q[i] ?? 0), 0) }))
        .filter((s) => s.score >= threshold)
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((s) => shape(s.p, s.score));
      return reply(rest === "/points/query" ? { points: scored } : scored);
    }
    throw new HttpError(404, `stand-in does not serve ${method} ${path}`);
  }
}
