/**
 * Issue 5's crash test: 200 workflows with with-items and a join run on a real node, which is
 * killed with SIGKILL once some (not all) of them have completed while shell children are
 * running, and restarted on the same data directory. Then:
 *
 * - every workflow completes, each with exactly the output its seed determines;
 * - each task (and each with-items item) has exactly one succeeded child, and any other child
 *   for it is one the crash left `abandoned`;
 * - a child whose completion was recorded before the kill (read from the database file the dead
 *   process left) is the one and only child of its task or item: it never ran again.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { isCompleted } from "../../src/core/execution/status.ts";
import { MAX_PAGE_SIZE } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";
import { api, makeHome, type SquallProcess, startSquall } from "../support/squall-process.ts";
import { registerOrquestaPack, start } from "./orquesta-fixture.ts";

const WORKFLOWS = 200;
const ACTION = "orquesta_pack.fanout_join";
/** Parallel POSTs while starting the workflows. */
const STARTERS = 8;

/** What an uninterrupted run of fanout_join.yaml outputs for `seed`. */
function expectedOutput(seed: number): Record<string, unknown> {
  const lcount = (seed % 5) + 1;
  return {
    echoed: [0, 1].map((i) => `w${seed}-i${i}`),
    lcount,
    tripled: seed * 3,
    total: seed * 10 + seed * 3 + lcount,
  };
}

/** The task (and item) a child runs for: `<task>` or `<task>#<item>`. */
function slotOf(child: Execution): string {
  const orq = child.context.orquesta as Record<string, unknown>;
  return orq.item_id === undefined ? String(orq.task_id) : `${orq.task_id}#${orq.item_id}`;
}

function expectedSlots(seed: number): string[] {
  const left = Array.from({ length: (seed % 5) + 1 }, (_x, j) => `left#${j}`);
  return ["fan#0", "fan#1", ...left, "right", "joined"].sort();
}

/** Every execution in the node's database, read from the file (the node must not be running). */
async function storedExecutions(home: string): Promise<Execution[]> {
  const store = openSqliteStore(join(home, "squall.db"));
  try {
    const out: Execution[] = [];
    for (let offset = 0; offset < 1_000_000; offset += MAX_PAGE_SIZE) {
      const page = await store.executions.list({ sort: "asc" }, { limit: MAX_PAGE_SIZE, offset });
      out.push(...page.items);
      if (page.items.length < MAX_PAGE_SIZE) break;
    }
    return out;
  } finally {
    await store.close();
  }
}

/** How many executions match a list query (the X-Total-Count header). */
async function count(url: string, query: string): Promise<number> {
  const res = await api(url, "GET", `/executions?${query}&limit=1`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return Number(res.headers.get("x-total-count"));
}

/**
 * Polls until a quarter of the workflows have succeeded while a shell child is running, so the
 * kill lands with work on both sides of it. Bounded: fails if that moment never comes.
 */
async function waitForKillPoint(node: SquallProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const done = await count(node.url, `action=${ACTION}&status=succeeded`);
    assert.ok(done < WORKFLOWS, "every workflow finished before the kill could land");
    const failed = await api<Execution[]>(
      node.url,
      "GET",
      `/executions?action=${ACTION}&status=failed&limit=1`,
    );
    assert.deepEqual(
      failed.body.map((e) => e.result),
      [],
      "a workflow failed before the kill",
    );
    if (done >= WORKFLOWS / 4) {
      const running = await count(node.url, "action=core.local&status=running");
      if (running > 0) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the workflows made no progress within 60 s");
}

describe("orquesta: kill -9 with 200 workflows in flight", () => {
  const cleanups: Array<() => void> = [];
  after(() => {
    for (const cleanup of cleanups) cleanup();
  });

  it("completes every workflow with its own output and never reruns a recorded task", async (t) => {
    const began = Date.now();
    const { home, cleanup } = makeHome("squall-orq-crash-");
    cleanups.push(cleanup);
    const first = await startSquall(home);
    const seeds = new Map<string, number>();
    try {
      await registerOrquestaPack(first.url);
      const pending = Array.from({ length: WORKFLOWS }, (_x, seed) => seed);
      await Promise.all(
        Array.from({ length: STARTERS }, async () => {
          for (let seed = pending.shift(); seed !== undefined; seed = pending.shift()) {
            const e = await start(first.url, ACTION, { seed });
            seeds.set(e.id, seed);
          }
        }),
      );
      await waitForKillPoint(first);
    } finally {
      await first.kill("SIGKILL");
    }

    // What the dead process left: completions recorded before the kill, children it was running.
    const atKill = await storedExecutions(home);
    const childrenAtKill = atKill.filter((e) => e.context.orquesta !== undefined);
    const recorded = childrenAtKill.filter((e) => isCompleted(e.status));
    const runningAtKill = childrenAtKill.filter((e) => e.status === "running");
    const workflowsDone = atKill.filter((e) => seeds.has(e.id) && isCompleted(e.status)).length;
    assert.ok(workflowsDone > 0 && workflowsDone < WORKFLOWS, `${workflowsDone} done at the kill`);
    assert.ok(runningAtKill.length > 0, "some children were running when the process was killed");
    t.diagnostic(
      `killed after ${Date.now() - began} ms: ${workflowsDone}/${WORKFLOWS} workflows done, ` +
        `${recorded.length} children recorded complete, ${runningAtKill.length} running`,
    );

    const second = await startSquall(home);
    try {
      const deadline = Date.now() + 60_000;
      let done = 0;
      while (done < WORKFLOWS && Date.now() < deadline) {
        done = await count(second.url, `action=${ACTION}&status=succeeded`);
        if (done < WORKFLOWS) await new Promise((r) => setTimeout(r, 100));
      }
      const workflows: Execution[] = [];
      for (let offset = 0; offset < WORKFLOWS; offset += 100) {
        const res = await api<Execution[]>(
          second.url,
          "GET",
          `/executions?action=${ACTION}&limit=100&offset=${offset}`,
        );
        workflows.push(...res.body);
      }
      assert.equal(workflows.length, WORKFLOWS);
      t.diagnostic(`all ${WORKFLOWS} workflows completed ${Date.now() - began} ms after the start`);
      for (const e of workflows) {
        const seed = seeds.get(e.id);
        assert.ok(seed !== undefined, `unexpected workflow ${e.id}`);
        assert.equal(e.status, "succeeded", `seed ${seed}: ${JSON.stringify(e.result)}`);
        assert.deepEqual(e.result, { output: expectedOutput(seed) }, `seed ${seed}`);
      }
    } finally {
      await second.kill("SIGTERM");
    }

    const children = (await storedExecutions(home)).filter((e) => e.context.orquesta !== undefined);
    const bySlot = new Map<string, Execution[]>();
    for (const child of children) {
      const key = `${child.parent} ${slotOf(child)}`;
      bySlot.set(key, [...(bySlot.get(key) ?? []), child]);
    }
    for (const [id, seed] of seeds) {
      const slots = [...bySlot.keys()].filter((k) => k.startsWith(`${id} `));
      assert.deepEqual(
        slots.map((k) => k.slice(id.length + 1)).sort(),
        expectedSlots(seed),
        `seed ${seed}: the tasks and items that ran`,
      );
    }
    for (const [key, list] of bySlot) {
      // Exactly one run of each task/item succeeded; any other is one the crash abandoned.
      assert.equal(list.filter((k) => k.status === "succeeded").length, 1, key);
      for (const k of list) assert.ok(["succeeded", "abandoned"].includes(k.status), key);
    }
    for (const k of recorded) {
      const list = bySlot.get(`${k.parent} ${slotOf(k)}`) ?? [];
      assert.deepEqual(
        list.map((x) => x.id),
        [k.id],
        `${slotOf(k)} of ${k.parent} completed before the kill and must not run again`,
      );
    }
    // Every child the kill interrupted was abandoned, and its task or item ran again.
    for (const k of runningAtKill) {
      const list = bySlot.get(`${k.parent} ${slotOf(k)}`) ?? [];
      assert.equal(list.find((x) => x.id === k.id)?.status, "abandoned", slotOf(k));
      assert.ok(
        list.some((x) => x.status === "succeeded"),
        `${slotOf(k)} ran again`,
      );
    }
  });
});
