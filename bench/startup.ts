/**
 * Start-up benchmark: time from spawning `squall up` to its "ready" line and to the first
 * answered API request, and the idle resident memory with the bundled packs registered.
 * Targets (design.md §7): ready < 1 s, idle RSS < 150 MB. Prints one line per figure.
 *
 *   node --import tsx bench/startup.ts [runs]
 */

import { readFileSync } from "node:fs";
import { makeHome, startSquall } from "../test/support/squall-process.ts";

const runs = Number(process.argv[2] ?? 5);
const ready: number[] = [];
const firstAnswer: number[] = [];
const rss: number[] = [];

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

for (let i = 0; i < runs; i++) {
  const { home, cleanup } = makeHome("squall-bench-");
  const t0 = performance.now();
  const node = await startSquall(home);
  ready.push(performance.now() - t0);
  const res = await fetch(`${node.url}/api/v1/actions?limit=1`);
  await res.text();
  firstAnswer.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 1000));
  if (node.child.pid) rss.push(rssMb(node.child.pid));
  await node.kill("SIGTERM");
  cleanup();
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(
  `startup.ready_ms median=${median(ready).toFixed(0)} max=${Math.max(...ready).toFixed(0)} runs=${runs} target<1000`,
);
console.log(`startup.first_api_answer_ms median=${median(firstAnswer).toFixed(0)} runs=${runs}`);
console.log(`idle.rss_mb median=${median(rss).toFixed(1)} target<150`);
