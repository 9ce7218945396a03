/**
 * The ingest CLI over a folder of Markdown, text, HTML and JSON lines, against the TEI and Qdrant stand-ins:
 * good files are stored, each bad file (non-UTF-8, bad JSON line, unsupported type) is reported on its own.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIngestCli } from "../../src/rag/ingest-cli";
import { QdrantStandin } from "../support/qdrant-standin";
import { TeiStandin } from "../support/tei-standin";
import { captureCliIo } from "./support/cli-io";

let tei: TeiStandin;
let qdrant: QdrantStandin;
let dir: string;

beforeAll(async () => {
  [tei, qdrant] = await Promise.all([TeiStandin.start({ maxClientBatchSize: 4 }), QdrantStandin.start()]);
  dir = mkdtempSync(join(tmpdir(), "rag-cli-"));
  mkdirSync(join(dir, "docs", "sub"), { recursive: true });
  writeFileSync(join(dir, "docs", "guide.md"), "# Install guide\n\nRun the installer and accept the licence.\n\n## Upgrade\n\nUpgrades keep your settings.");
  writeFileSync(join(dir, "docs", "notes.txt"), "Plain notes about the release train.");
  writeFileSync(join(dir, "docs", "sub", "page.html"), "<html><head><title>Status page</title><script>var x=1;</script></head><body><h1>Status</h1><p>All systems nominal.</p></body></html>");
  writeFileSync(join(dir, "docs", "faq.jsonl"), [JSON.stringify({ id: "faq-1", text: "Q: Where are invoices? A: In billing.", groups: ["support"], title: "Invoices" }), "{not json", JSON.stringify({ id: "faq-3" }), ""].join("\n"));
  writeFileSync(join(dir, "docs", "latin1.txt"), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72])); // "Café noir" in Latin-1
  writeFileSync(join(dir, "docs", "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([tei.stop(), qdrant.stop()]);
});

function io() {
  return captureCliIo({ QDRANT_URL: qdrant.url, TEI_EMBEDDER_URL: tei.url });
}

it("ingests the good files and reports each bad one", async () => {
  const run = io();
  const code = await runIngestCli(["--collection", "cli", "--groups", "staff,eng", join(dir, "docs")], run.io);
  expect(code).toBe(1);
  const docs = new Map(qdrant.points("cli").map((p) => [p.payload.doc_id, p.payload]));
  expect([...docs.keys()].sort()).toHaveLength(4);
  const byTitle = new Map([...docs.values()].map((p) => [p.title, p]));
  expect(byTitle.get("Install guide")).toMatchObject({ groups: ["staff", "eng"] });
  expect(byTitle.get("Status page")?.text).toContain("All systems nominal.");
  expect(byTitle.get("Status page")?.text).not.toContain("var x");
  expect(byTitle.get("Invoices")).toMatchObject({ doc_id: "faq-1", groups: ["support"] });
  expect(run.out.join("\n")).toMatch(/Ingested 4 document\(s\) \(\d+ chunks\) into 'cli'; 4 failed\./);
  const errors = run.err.join("\n");
  expect(errors).toMatch(/latin1\.txt: not valid UTF-8 text/);
  expect(errors).toMatch(/faq\.jsonl:2: not valid JSON/);
  expect(errors).toMatch(/faq\.jsonl:3: text: expected a string/);
  expect(errors).toMatch(/image\.png: unsupported file type '\.png'/);
  expect(run.progress).toContain("documents");
  expect(tei.violations).toEqual([]);
  expect(qdrant.violations).toEqual([]);
});

it("exits 0 when everything is stored, and 2 on bad usage", async () => {
  const ok = io();
  expect(await runIngestCli(["-c", "cli2", "-g", "staff", "--no-progress", join(dir, "docs", "notes.txt")], ok.io)).toBe(0);
  expect(ok.progress).toBe("");
  const bad = io();
  expect(await runIngestCli(["--collection", "bad name", join(dir, "docs")], bad.io)).toBe(2);
  expect(bad.err.join("\n")).toContain("expected 1-63 letters");
  expect(await runIngestCli([join(dir, "docs")], io().io)).toBe(2);
});

it("reports every document when Qdrant is unreachable", async () => {
  const run = io();
  const env = { QDRANT_URL: "http://127.0.0.1:9", TEI_EMBEDDER_URL: tei.url };
  const code = await runIngestCli(["-c", "cli3", "-g", "staff", "--no-progress", join(dir, "docs", "notes.txt")], { ...run.io, env });
  expect(code).toBe(1);
  expect(run.err.join("\n")).toMatch(/notes\.txt: the vector store \(Qdrant\) is unavailable/);
});
