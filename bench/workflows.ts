/**
 * Orquesta on the durable engine (issue 5's benchmark): with-items over 100, 1,000 and 10,000
 * core.noop items at concurrency 100 (time per item must stay flat, 10,000 under 20 s), and a
 * 100-task sequential workflow (at least 1,000 task transitions/s). Times are the workflow
 * execution's own start and end timestamps, so client polling does not count.
 *
 *   node --import tsx bench/workflows.ts [sequential runs]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Execution } from "../src/core/execution/model.ts";
import { isCompleted } from "../src/core/execution/status.ts";
import { api, makeHome, startSquall } from "../test/support/squall-process.ts";

const RUNS = Number(process.argv[2] ?? 5);
const SIZES = [100, 1_000, 10_000];
const TASKS = 100;

function writePack(dir: string): string {
  const pack = join(dir, "wf_bench");
  mkdirSync(join(pack, "actions", "workflows"), { recursive: true });
  writeFileSync(
    join(pack, "pack.yaml"),
    "name: wf_bench\ndescription: workflow benchmark\nversion: 0.1.0\nauthor: bench\n",
  );
  const action = (name: string, parameters: string) =>
    writeFileSync(
      join(pack, "actions", `${name}.yaml`),
      `name: ${name}\nrunner_type: orquesta\nenabled: true\nentry_point: workflows/${name}.yaml\nparameters:${parameters}\n`,
    );
  action("items", "\n  n: {type: integer}\n  concurrency: {type: integer}");
  writeFileSync(
    join(pack, "actions", "workflows", "items.yaml"),
    [
      "version: 1.0",
      "input: [n, concurrency]",
      "tasks:",
      "  each:",
      "    with:",
      "      items: <% range(ctx(n)) %>",
      "      concurrency: <% ctx(concurrency) %>",
      "    action: core.noop",
      "    next:",
      "      - publish: [count: <% len(result()) %>]",
      "output: [count: <% ctx(count) %>]",
      "",
    ].join("\n"),
  );
  action("sequential", " {}");
  const tasks = Array.from({ length: TASKS }, (_x, i) =>
    i < TASKS - 1
      ? `  t${i}:\n    action: core.noop\n    next:\n      - do: t${i + 1}`
      : `  t${i}:\n    action: core.noop`,
  );
  writeFileSync(
    join(pack, "actions", "workflows", "sequential.yaml"),
    `version: 1.0\ntasks:\n${tasks.join("\n")}\n`,
  );
  return pack;
}

async function runOnce(url: string, action: string, parameters: object): Promise<number> {
  const res = await api<Execution>(url, "POST", "/executions", { action, parameters });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  for (let i = 0; i < 6_000; i++) {
    const e = (await api<Execution>(url, "GET", `/executions/${res.body.id}`)).body;
    if (isCompleted(e.status)) {
      if (e.status !== "succeeded") throw new Error(`${action}: ${JSON.stringify(e.result)}`);
      return (Date.parse(e.end_timestamp ?? "") - Date.parse(e.start_timestamp)) / 1000;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${action} did not finish`);
}

const { home, cleanup } = makeHome("squall-bench-wf-");
const node = await startSquall(home);
try {
  const pack = writePack(home);
  const reg = await api(node.url, "POST", "/packs/register", { packs: [pack] });
  if (reg.status !== 200) throw new Error(JSON.stringify(reg.body));
  await runOnce(node.url, "wf_bench.sequential", {}); // warm-up
  console.log("with-items over core.noop, concurrency 100:");
  for (const n of SIZES) {
    const s = await runOnce(node.url, "wf_bench.items", { n, concurrency: 100 });
    console.log(
      `  ${String(n).padStart(6)} items: ${s.toFixed(2)} s, ${((s / n) * 1000).toFixed(3)} ms/item`,
    );
  }
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++)
    rates.push(TASKS / (await runOnce(node.url, "wf_bench.sequential", {})));
  rates.sort((a, b) => a - b);
  console.log(
    `${TASKS}-task sequential workflow: median ${Math.round(rates[Math.floor(rates.length / 2)] ?? 0)} task transitions/s (min ${Math.round(rates[0] ?? 0)}, max ${Math.round(rates[rates.length - 1] ?? 0)}) over ${RUNS} runs`,
  );
} finally {
  await node.kill("SIGTERM");
  cleanup();
}
