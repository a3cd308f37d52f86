/** A timer rule fires through a real `squall up`: durable timer jobs, trigger instances, executions. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import {
  api,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

describe("timers end to end", () => {
  let node: SquallProcess;
  let cleanup: () => void;
  before(async () => {
    const home = makeHome();
    cleanup = home.cleanup;
    node = await startSquall(home.home, {
      SQUALL_PACKS_PATH: new URL("../fixtures/timers", import.meta.url).pathname,
    });
  });
  after(async () => {
    await node.kill("SIGTERM");
    cleanup();
  });

  it("an IntervalTimer rule runs its action every second, with the timer's trace tag", async () => {
    const runs = await eventually(
      async () => {
        const list = (
          await api<Execution[]>(node.url, "GET", "/executions?action=core.echo&limit=10")
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
