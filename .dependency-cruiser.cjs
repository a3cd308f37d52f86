// Enforces the layer table in ARCHITECTURE.md. CI runs `npm run layers`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "src/core holds pure logic: no file, network, process or database access.",
      severity: "error",
      from: { path: "^src/core/", pathNot: "\\.test\\.ts$" },
      to: {
        dependencyTypes: [
          "core",
          "npm",
          "npm-dev",
          "npm-optional",
          "npm-peer",
          "npm-no-pkg",
          "npm-unknown",
        ],
        pathNot: "^(node_modules/(ajv|ajv-formats|yaml)/)",
        path: ".*",
      },
    },
    {
      name: "core-imports-only-core",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/(engine|api|cli|sdk|server)/" },
    },
    {
      name: "engine-not-above",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "^src/(api|cli|server)/" },
    },
    {
      name: "api-not-cli",
      severity: "error",
      from: { path: "^src/api/" },
      to: { path: "^src/(cli|server)/" },
    },
    {
      name: "cli-through-http",
      comment: "The CLI talks to the server over HTTP; only src/cli/up.ts may start the services.",
      severity: "error",
      from: { path: "^src/cli/", pathNot: "^src/cli/commands/up\\.ts$" },
      to: { path: "^src/(engine|api|server)/" },
    },
    {
      name: "sdk-standalone",
      severity: "error",
      from: { path: "^src/sdk/" },
      to: { path: "^src/(core|engine|api|cli|server)/" },
    },
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
