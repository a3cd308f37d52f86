#!/usr/bin/env node
// Runs the test suites with Node's built-in runner (through tsx for TypeScript) and ends with one
// plain "N passed, N failed" line that CI reads.
//   node scripts/run-tests.mjs [unit|integration|all] [extra file filters...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const suite = process.argv[2] ?? "all";
const filters = process.argv.slice(3);

function walk(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

const unit = walk(join(root, "src"));
const integration = [...walk(join(root, "test"))];
const files = (
  suite === "unit" ? unit : suite === "integration" ? integration : [...unit, ...integration]
)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no test files matched (suite=${suite} filters=${filters.join(" ")})`);
  process.exit(1);
}

const tap = join(mkdtempSync(join(tmpdir(), "squall-tests-")), "report.tap");
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, SQUALL_LOG_LEVEL: process.env.SQUALL_LOG_LEVEL ?? "silent" },
  },
);

const report = readFileSync(tap, "utf8");
const count = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
const passed = count("pass");
const failed = count("fail") + count("cancelled");
const skipped = count("skipped") + count("todo");
console.log(`\n${files.length} test files`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(result.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
