/**
 * kill -9 in the middle of workflows with with-items and joins, then a restart on the same
 * data directory: every workflow completes with the output of an uninterrupted run, a child
 * whose completion was recorded is never run again, and a child that was running in the dead
 * process is abandoned and its task run again as a new child.
 */

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { isCompleted } from "../../src/core/execution/status.ts";
import { makeHome, startSquall } from "../support/squall-process.ts";
import { children, completion, registerOrquestaPack, start } from "./orquesta-fixture.ts";

const N = 6;
const WORKFLOWS = 8;

/** `<task>` or `<task>#<item>`: what one child runs for. */
function slot(child: Execution): string {
  const orq = child.context.orquesta as Record<string, unknown>;
  return orq.item_id === undefined ? String(orq.task_id) : `${orq.task_id}#${orq.item_id}`;
}

describe("orquesta recovery after kill -9", () => {
  const homes: Array<() => void> = [];
  after(() => {
    for (const cleanup of homes) cleanup();
  });

  it("completes every workflow with the same output and never reruns a recorded task", async () => {
    const { home, cleanup } = makeHome();
    homes.push(cleanup);
    const first = await startSquall(home);
    await registerOrquestaPack(first.url);
    const started: Execution[] = [];
    for (let i = 0; i < WORKFLOWS; i++)
      started.push(await start(first.url, "orquesta_pack.crash", { n: N }));
    // Let them get part of the way: some items done, some running.
    await new Promise((r) => setTimeout(r, 1200));
    const before = new Map<string, Execution[]>();
    for (const e of started) before.set(e.id, await children(first.url, e.id));
    await first.kill("SIGKILL");

    const second = await startSquall(home);
    try {
      const expected = { output: { items: Array.from({ length: N }, (_x, i) => `item-${i}`) } };
      let abandoned = 0;
      for (const e of started) {
        const done = await completion(second.url, e.id, 60_000);
        assert.equal(done.status, "succeeded", JSON.stringify(done.result));
        assert.deepEqual(done.result, expected);
        const kids = await children(second.url, e.id);
        assert.ok(kids.every((k) => isCompleted(k.status)));
        const bySlot = new Map<string, Execution[]>();
        for (const k of kids) bySlot.set(slot(k), [...(bySlot.get(slot(k)) ?? []), k]);
        const slots = [
          ...Array.from({ length: N }, (_x, i) => `fan#${i}`),
          "left",
          "right",
          "joined",
        ];
        assert.deepEqual([...bySlot.keys()].sort(), slots.sort());
        abandoned += kids.filter((k) => k.status === "abandoned").length;
        for (const [s, list] of bySlot) {
          // Exactly one run of each task/item succeeded; any other was abandoned by the crash.
          assert.equal(list.filter((k) => k.status === "succeeded").length, 1, `${e.id} ${s}`);
          for (const k of list) assert.ok(["succeeded", "abandoned"].includes(k.status), k.status);
        }
        // Whatever had completed before the kill is still the one and only run of its slot.
        for (const k of before.get(e.id) ?? []) {
          if (k.status !== "succeeded") continue;
          const list = bySlot.get(slot(k)) ?? [];
          assert.deepEqual(
            list.map((x) => x.id),
            [k.id],
            `${slot(k)} completed before the crash and must not run again`,
          );
        }
      }
      // The kill landed while items ran: the re-dispatch path was exercised.
      assert.ok(abandoned > 0, "some children were running when the process was killed");
    } finally {
      await second.kill("SIGTERM");
    }
  });
});
