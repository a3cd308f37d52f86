/**
 * `npm run conformance`: runs every suite under test/conformance/<corpus>/suite.ts and prints
 * `<corpus>: N passed, M failed` per corpus, then `N passed, M failed` overall.
 * `--verbose` also lists each failing case; `--groups` prints the per-group figures. The exit
 * code stays 0 on case failures: each corpus's node:test file enforces its pass bar.
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ConformanceSuite, summarize } from "./suite.ts";

const here = dirname(fileURLToPath(import.meta.url));
const verbose = process.argv.includes("--verbose");
const showGroups = process.argv.includes("--groups") || verbose;

async function loadSuites(): Promise<ConformanceSuite[]> {
  const suites: ConformanceSuite[] = [];
  for (const name of readdirSync(here).sort()) {
    const file = join(here, name, "suite.ts");
    if (!statSync(join(here, name)).isDirectory() || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { suite?: ConformanceSuite };
    if (!mod.suite) throw new Error(`${file} does not export \`suite\``);
    suites.push(mod.suite);
  }
  return suites;
}

let passed = 0;
let failed = 0;
for (const suite of await loadSuites()) {
  const summary = summarize(suite.corpus, await suite.run());
  passed += summary.passed;
  failed += summary.failed;
  console.log(`${summary.corpus}: ${summary.passed} passed, ${summary.failed} failed`);
  if (showGroups) {
    for (const [group, g] of summary.groups) {
      if (group) console.log(`  ${group}: ${g.passed} passed, ${g.failed} failed`);
    }
  }
  if (verbose) for (const f of summary.failures) console.log(`  FAIL ${f.id}: ${f.detail ?? ""}`);
}
console.log(`${passed} passed, ${failed} failed`);
