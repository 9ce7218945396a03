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
    },
  ],
};
