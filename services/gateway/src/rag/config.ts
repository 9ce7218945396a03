/**
 * The `rag` section of the gateway config file: where TEI and Qdrant live, how collections are created, how
 * documents are chunked, the query defaults, and the context budget. Every field has a default, so
 * `rag: { enabled: true }` is a complete section for the in-cluster service names.
 * See README.md ("RAG") for the reference and docs/decisions/0051-context-token-budget.md for the budget.
 */
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ });
const tokenizerName = z.enum(["llama3", "llama2", "mistral"]);

/** A model's window, for the context budget. */
const modelWindowSchema = z.strictObject({
  /** Context length in tokens. */
  contextLength: z.number().int().min(512),
  /** Tokenizer family used to count the prompt. */
  tokenizer: tokenizerName.default("llama3"),
});

export const ragConfigSchema = z
  .strictObject({
    /** Master switch. */
    enabled: z.boolean().default(false),
    qdrant: z
      .strictObject({
        /** Qdrant REST endpoint. */
        url: url.default("http://qdrant:6333"),
        /** Name of the environment variable holding the Qdrant API key (the key itself never sits in config). */
        apiKeyEnv: z.string().min(1).optional(),
        /** Per-request timeout. */
        timeoutMs: z.number().int().positive().default(5_000),
      })
      .prefault({}),
    embedder: z
      .strictObject({
        /** TEI serving the embedding model (BAAI/bge-large-en-v1.5: 1024 dimensions). */
        url: url.default("http://tei-embedder:80"),
        timeoutMs: z.number().int().positive().default(10_000),
        /** bge's instruction for retrieval queries (documents are embedded without it). */
        queryInstruction: z.string().default("Represent this sentence for searching relevant passages: "),
      })
      .prefault({}),
    reranker: z
      .strictObject({
        /** TEI serving the cross-encoder (BAAI/bge-reranker-large). */
        url: url.default("http://tei-reranker:80"),
        timeoutMs: z.number().int().positive().default(5_000),
        /** Candidate texts are cut to this many characters before reranking (TEI also truncates to its window). */
        maxTextChars: z.number().int().min(64).default(2_000),
      })
      .prefault({}),
    collection: z
      .strictObject({
        /** Vector size of new collections (bge-large-en-v1.5). */
        vectorSize: z.number().int().positive().default(1024),
        distance: z.enum(["Cosine", "Dot", "Euclid"]).default("Cosine"),
        hnswM: z.number().int().min(4).default(16),
        hnswEfConstruct: z.number().int().min(4).default(200),
        /** Copies of each shard across Qdrant's peers: with 2 or more, one drained pod hides no data. */
        replicationFactor: z.number().int().min(1).default(1),
        /** Replicas that must apply a write before it is acknowledged (at most replicationFactor). */
        writeConsistencyFactor: z.number().int().min(1).default(1),
      })
      .prefault({})
      .refine((c) => c.writeConsistencyFactor <= c.replicationFactor, {
        message: "collection.writeConsistencyFactor must not exceed collection.replicationFactor",
        path: ["writeConsistencyFactor"],
      }),
    chunking: z
      .strictObject({
        /** Tokenizer that sizes chunks. */
        tokenizer: tokenizerName.default("llama3"),
        /** Largest chunk, in tokens (kept under the embedder's 512-token window). */
        maxTokens: z.number().int().min(32).default(350),
        /** Tokens repeated from the end of one chunk at the start of the next (not across headings). */
        overlapTokens: z.number().int().min(0).default(50),
        /**
         * Tokenizers whose counts are stored with each chunk, so the query path need not re-tokenize. Add "mistral"
         * when RAG generates with Mistral models (its tokenizer is ~10x slower, which costs ingestion throughput).
         */
        countTokenizers: z.array(tokenizerName).min(1).default(["llama3"]),
      })
      .prefault({})
      .refine((c) => c.overlapTokens < c.maxTokens / 2, {
        message: "chunking.overlapTokens must be less than half of chunking.maxTokens",
      }),
    ingest: z
      .strictObject({
        /** Most documents in one POST. */
        maxDocumentsPerRequest: z.number().int().positive().default(100),
        /** Largest document text, in characters. */
        maxDocumentChars: z.number().int().positive().default(2_000_000),
      })
      .prefault({}),
    query: z
      .strictObject({
        topK: z.number().int().min(1).max(50).default(10),
        candidates: z.number().int().min(1).max(1000).default(100),
        /** Minimum relevance (rerank score; dense cosine when the reranker is down). */
        scoreThreshold: z.number().min(0).max(1).default(0.7),
        /** Longest accepted query, in characters. */
        maxQueryChars: z.number().int().positive().default(4_000),
        /** Longest accepted query, in tokens of the model's tokenizer. */
        maxQueryTokens: z.number().int().positive().default(512),
        /** Payload fields callers may filter on (keyword match); `groups` filtering is always applied from the token. */
        filterFields: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).default(["doc_id", "source", "title", "tags", "lang"]),
        /** Model used by POST /v1/rag/query when the request names none. */
        defaultModel: z.string().min(1).default("default"),
      })
      .prefault({}),
    context: z
      .strictObject({
        /** Context length of models not listed in `models`. */
        defaultContextLength: z.number().int().min(512).default(4096),
        /** Tokens kept free for the answer. */
        reservedAnswerTokens: z.number().int().min(1).default(1024),
        /** Upper bound on retrieved-context tokens whatever the window (3000 of a 4096 window by default). */
        maxContextTokens: z.number().int().min(1).default(3000),
      })
      .prefault({}),
    /** Context windows of the models RAG generates with, by model alias. */
    models: z.record(z.string(), modelWindowSchema).default({}),
  })
  .prefault({});

export type RagConfig = z.output<typeof ragConfigSchema>;
export type RagTokenizerName = z.output<typeof tokenizerName>;
