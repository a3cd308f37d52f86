/**
 * Orquesta on the durable engine (issue 5's benchmark), against a real `squall up`:
 *
 * - with-items over 100, 1,000 and 10,000 core.noop items at concurrency 100: time per item must
 *   stay flat, and 10,000 items take under 20 s;
 * - a 100-task sequential workflow of core.noop tasks: at least 1,000 task transitions/s.
 *
 * A "task transition" is one change of an Orquesta task's status. Each task of the sequential
 * workflow changes status exactly twice (to `running` when it is handed out, to `succeeded` when
 * its child execution completes), so a run makes 200; the figure is 200 divided by the run's
 * time. The stricter `tasks_per_s` (100 divided by the same time) is printed too. Times are
 * the workflow execution's own `start_timestamp` (set when the API accepted the request) and
 * `end_timestamp`, so they include scheduling the workflow but not the client's polling.
 * Every run is checked: the with-items output counts n items, and the sequential workflow has
 * 100 succeeded children, one per task.
 *
 *   node --import tsx bench/workflows.ts [sequential runs]   (default 15)
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Execution } from "../src/core/execution/model.ts";
import { isCompleted } from "../src/core/execution/status.ts";
import { api, makeHome, startSquall } from "../test/support/squall-process.ts";

const RUNS = Number(process.argv[2] ?? 15);
const SIZES = [100, 1_000, 10_000];
const TASKS = 100;
/** Orquesta status changes per task of the sequential workflow: running, then succeeded. */
const CHANGES_PER_TASK = 2;

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

async function runOnce(
  url: string,
  action: string,
  parameters: object,
): Promise<{ seconds: number; execution: Execution }> {
  const res = await api<Execution>(url, "POST", "/executions", { action, parameters });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  for (let i = 0; i < 6_000; i++) {
    const e = (await api<Execution>(url, "GET", `/executions/${res.body.id}`)).body;
    if (isCompleted(e.status)) {
      if (e.status !== "succeeded") throw new Error(`${action}: ${JSON.stringify(e.result)}`);
      const seconds = (Date.parse(e.end_timestamp ?? "") - Date.parse(e.start_timestamp)) / 1000;
      return { seconds, execution: e };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${action} did not finish`);
}

async function childCount(url: string, parent: string, status: string): Promise<number> {
  const res = await api(url, "GET", `/executions?parent=${parent}&status=${status}&limit=1`);
  return Number(res.headers.get("x-total-count"));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const { home, cleanup } = makeHome("squall-bench-wf-");
const node = await startSquall(home);
try {
  const pack = writePack(home);
  const reg = await api(node.url, "POST", "/packs/register", { packs: [pack] });
  if (reg.status !== 200) throw new Error(JSON.stringify(reg.body));
  await runOnce(node.url, "wf_bench.sequential", {}); // warm-up
  for (const n of SIZES) {
    const { seconds, execution } = await runOnce(node.url, "wf_bench.items", {
      n,
      concurrency: 100,
    });
    const output = (execution.result as { output?: { count?: unknown } }).output;
    if (output?.count !== n) throw new Error(`items ${n}: output ${JSON.stringify(output)}`);
    console.log(`wf.items_${n}.ms_per_item=${((seconds / n) * 1000).toFixed(3)}`);
    if (n === 10_000) console.log(`wf.items_10000.total_s=${seconds.toFixed(2)} target<20`);
  }
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { seconds, execution } = await runOnce(node.url, "wf_bench.sequential", {});
    const succeeded = await childCount(node.url, execution.id, "succeeded");
    if (succeeded !== TASKS) throw new Error(`sequential: ${succeeded} of ${TASKS} children`);
    times.push(seconds);
  }
  const rate = (perRun: number, s: number) => Math.round(perRun / s);
  const fastest = Math.min(...times);
  const slowest = Math.max(...times);
  const changes = TASKS * CHANGES_PER_TASK;
  console.log(
    `wf.sequential_100.task_transitions_per_s=${rate(changes, median(times))} ` +
      `(min ${rate(changes, slowest)}, max ${rate(changes, fastest)}; median of ${RUNS} runs) target>=1000`,
  );
  console.log(
    `wf.sequential_100.tasks_per_s=${rate(TASKS, median(times))} ` +
      `(min ${rate(TASKS, slowest)}, max ${rate(TASKS, fastest)})`,
  );
  console.log(`wf.sequential_100.run_ms=${(median(times) * 1000).toFixed(0)} (median)`);
} finally {
  await node.kill("SIGTERM");
  cleanup();
}
