// @ts-check
/** Jest runs two projects: the infrastructure (cdktf constructs, stacks, policies, tools) and the gateway. */
const swc = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript", decorators: false }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  },
];
// jose and a few other dependencies ship only ES modules; jest's CommonJS runtime needs them transformed too.
const esmOnly = ["jose", "libphonenumber-js", "cookie", "typebox"];
const common = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j|mj)sx?$": swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
};

// The gateway's stand-ins validate against the official OpenAPI documents, which the repository does not carry:
// they are read from $SHARED_DIR/specs or ../shared/specs. Where neither exists, the suites that load them are left
// out, and one line says so (services/gateway/test/support/specs-location.js).
const specs = require("./services/gateway/test/support/specs-location.js");
const gatewayDir = `${__dirname}/services/gateway`;
const needSpecs = specs.findSpecsDir() ? [] : specs.suitesNeedingSpecs([`${gatewayDir}/test`, `${gatewayDir}/src`]);
if (needSpecs.length > 0) process.stderr.write(`${specs.notFoundMessage()}: ${needSpecs.length} suites that need them were not run\n`);
const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: "infra",
      roots: ["<rootDir>/test", "<rootDir>/policies", "<rootDir>/tools"],
      testMatch: ["**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/setup-cdktf.ts"],
    },
    {
      ...common,
      displayName: "gateway",
      rootDir: "<rootDir>/services/gateway",
      roots: ["<rootDir>/test", "<rootDir>/src"],
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", ...needSpecs.map((f) => `^${escape(f)}$`)],
    },
  ],
};
