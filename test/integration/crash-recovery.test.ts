/**
 * The durability promise, tested with real processes and a real SQLite file: `squall up` is
 * killed with SIGKILL and restarted on the same data directory.
 * - every execution the API accepted (201) still exists afterwards;
 * - requested, delayed and scheduled work is picked up and runs after the restart;
 * - an execution that was running in the dead process ends `abandoned`, never runs twice.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { isCompleted } from "../../src/core/execution/status.ts";
import { api, eventually, makeHome, startSquall } from "../support/squall-process.ts";

async function run(url: string, cmd: string, delay?: number): Promise<Execution> {
  const res = await api<Execution>(url, "POST", "/executions", {
    action: "core.local",
    parameters: { cmd },
    ...(delay ? { delay } : {}),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function get(url: string, id: string): Promise<Execution> {
  const res = await api<Execution>(url, "GET", `/executions/${id}`);
  assert.equal(res.status, 200, `execution ${id} must exist: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Pids whose command line contains `text`. */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/** Small deterministic PRNG so a failing kill schedule can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("kill -9 recovery", () => {
  const homes: Array<() => void> = [];
  after(() => {
    for (const cleanup of homes) cleanup();
  });

  it("abandons the running execution and runs the queued ones after a restart", async () => {
    const { home, cleanup } = makeHome();
    homes.push(cleanup);
    const env = { SQUALL_ACTION_CONCURRENCY: "1" };
    const first = await startSquall(home, env);
    const marker = `finished-${process.pid}-${Date.now()}`;
    const long = await run(first.url, `sleep 30; echo ${marker}`);
    await eventually(
      async () => ((await get(first.url, long.id)).status === "running" ? true : undefined),
      10_000,
      "the long execution to start running",
    );
    const queued = [await run(first.url, "echo queued-1"), await run(first.url, "echo queued-2")];
    const delayed = await run(first.url, "echo delayed", 400);
    for (const q of queued)
      await eventually(
        async () => ((await get(first.url, q.id)).status === "scheduled" ? true : undefined),
        10_000,
        `${q.id} to be scheduled behind the running one`,
      );
    await first.kill("SIGKILL");

    const second = await startSquall(home, env);
    try {
      const longAfter = await eventually(
        async () => {
          const e = await get(second.url, long.id);
          return isCompleted(e.status) ? e : undefined;
        },
        20_000,
        "the interrupted execution to complete",
      );
      assert.equal(longAfter.status, "abandoned");
      assert.ok(longAfter.log.some((l) => l.status === "running"));
      // The dead node's action processes are killed, not left running.
      await eventually(
        async () => (processesWith(marker).length === 0 ? true : undefined),
        5_000,
        "the orphaned action processes to be killed",
      );
      for (const e of [...queued, delayed]) {
        const done = await eventually(
          async () => {
            const x = await get(second.url, e.id);
            return isCompleted(x.status) ? x : undefined;
          },
          20_000,
          `${e.id} to run after the restart`,
        );
        assert.equal(done.status, "succeeded", JSON.stringify(done));
        assert.equal(done.runner_node, "test-node");
      }
      const out = await api<string>(
        second.url,
        "GET",
        `/executions/${queued[0]?.id}/output?format=text`,
      );
      assert.equal(out.body, "queued-1\n");
    } finally {
      await second.kill("SIGTERM");
    }
  });

  it("loses no accepted execution when killed at random moments", async () => {
    const { home, cleanup } = makeHome();
    homes.push(cleanup);
    const random = prng(20261125);
    const accepted = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const node = await startSquall(home);
      const killAfter = Math.floor(random() * 400);
      const submissions = Array.from(
        { length: 25 },
        (_, i) =>
          run(node.url, `echo round-${round}-${i}`, i % 5 === 0 ? 200 : undefined)
            .then((e) => accepted.add(e.id))
            .catch(() => undefined), // refused or cut off by the kill: never accepted
      );
      await new Promise((r) => setTimeout(r, killAfter));
      await node.kill("SIGKILL");
      await Promise.all(submissions);
    }
    assert.ok(accepted.size > 0, "some submissions must have been accepted before the kills");

    const last = await startSquall(home);
    try {
      for (const id of accepted) {
        const done = await eventually(
          async () => {
            const x = await get(last.url, id);
            return isCompleted(x.status) ? x : undefined;
          },
          30_000,
          `accepted execution ${id} to complete`,
        );
        if (done.status === "abandoned")
          assert.ok(
            done.log.some((l) => l.status === "running"),
            `${id} abandoned without having run`,
          );
        else assert.equal(done.status, "succeeded", JSON.stringify(done));
        // The transition log never repeats `running`: nothing ran twice.
        assert.ok(
          done.log.filter((l) => l.status === "running").length <= 1,
          JSON.stringify(done.log),
        );
      }
    } finally {
      await last.kill("SIGTERM");
    }
  });
});
