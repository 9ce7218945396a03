/** Types of specs-location.js (plain CommonJS, also loaded by jest.config.js). */
export declare const REPO_ROOT: string;
/** $SHARED_DIR/specs (when set), then ../shared/specs beside the repository. */
export declare function specsCandidates(env?: NodeJS.ProcessEnv): string[];
/** The first of specsCandidates() that exists. */
export declare function findSpecsDir(env?: NodeJS.ProcessEnv): string | undefined;
/** "OpenAPI documents not found at …", naming where they were looked for. */
export declare function notFoundMessage(env?: NodeJS.ProcessEnv): string;
/** The *.test.ts files under `roots` that load test/support/openapi-validator.ts, directly or not. */
export declare function suitesNeedingSpecs(roots: string[]): string[];
