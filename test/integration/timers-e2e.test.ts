/** A timer rule fires through a real `squall up`: durable timer jobs, trigger instances, executions. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { FIXTURES } from "../support/fixtures.ts";
import { api, eventually, useSquallNode } from "../support/squall-process.ts";

describe("timers end to end", () => {
  const running = useSquallNode({ SQUALL_PACKS_PATH: `${FIXTURES}/timers` });

  it("an IntervalTimer rule runs its action every second, with the timer's trace tag", async () => {
    const runs = await eventually(
      async () => {
        const list = (
          await api<Execution[]>(running.node.url, "GET", "/executions?action=core.echo&limit=10")
        ).body;
        return list.filter((e) => e.status === "succeeded").length >= 2 ? list : undefined;
      },
      15_000,
      "two timer-driven executions",
    );
    const done = runs.filter((e) => e.status === "succeeded");
    for (const e of done) {
      assert.match((e.result as { stdout: string }).stdout, /^tick \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      assert.match(e.context.trace_context?.trace_tag ?? "", /^st2\.IntervalTimer-/);
    }
    const stamps = new Set(done.map((e) => (e.result as { stdout: string }).stdout));
    assert.equal(stamps.size, done.length, "each fire is a distinct occurrence");
  });
});
