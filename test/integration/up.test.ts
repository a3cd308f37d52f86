/** `squall up` start-up behaviour: one node per data directory, and clear errors for bad settings. */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { squall } from "../support/cli.ts";
import { api, authHeaders, eventually, makeHome, startSquall } from "../support/squall-process.ts";

describe("squall up", () => {
  const cleanups: Array<() => void> = [];
  after(() => {
    for (const c of cleanups) c();
  });

  function home(): string {
    const h = makeHome();
    cleanups.push(h.cleanup);
    return h.home;
  }

  it("prints its URL and answers on it", async () => {
    const node = await startSquall(home());
    try {
      assert.match(node.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${node.url}/api/v1/actions?limit=1`, {
        headers: await authHeaders(node.url),
      });
      assert.equal(res.status, 200);
    } finally {
      await node.kill("SIGTERM");
    }
  });

  it("refuses a second node on the same data directory", async () => {
    const h = home();
    const first = await startSquall(h);
    try {
      const second = await squall("", ["up", "--port", "0", "--home", h]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /another Squall \(pid \d+\) is already using/);
    } finally {
      await first.kill("SIGTERM");
    }
  });

  it("takes over the lock of a process that died", async () => {
    const h = home();
    writeFileSync(join(h, "squall.pid"), "999999999");
    const node = await startSquall(h);
    await node.kill("SIGTERM");
  });

  it("on SIGTERM lets running actions finish within the grace period, then abandons them", async () => {
    const h = home();
    const node = await startSquall(h, { SQUALL_SHUTDOWN_GRACE_MS: "300" });
    const quick = await api<Execution>(node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "sleep 0.1; echo quick" },
    });
    const slow = await api<Execution>(node.url, "POST", "/executions", {
      action: "core.local",
      parameters: { cmd: "sleep 20" },
    });
    await eventually(
      async () => {
        const [a, b] = await Promise.all(
          [quick.body.id, slow.body.id].map(
            async (id) => (await api<Execution>(node.url, "GET", `/executions/${id}`)).body.status,
          ),
        );
        return a === "running" && b === "running" ? true : undefined;
      },
      10_000,
      "both executions to run",
    );
    // Someone following the slow execution's output must not hold the shutdown up.
    const follower = await fetch(`${node.url}/stream/v1/executions/${slow.body.id}/output`, {
      headers: await authHeaders(node.url),
    });
    const reading = follower.text();
    await node.kill("SIGTERM");
    assert.equal(node.child.exitCode, 0, node.output());
    await reading;
    const again = await startSquall(h);
    try {
      const q = (await api<Execution>(again.url, "GET", `/executions/${quick.body.id}`)).body;
      const s = (await api<Execution>(again.url, "GET", `/executions/${slow.body.id}`)).body;
      assert.equal(q.status, "succeeded");
      assert.equal(s.status, "abandoned");
    } finally {
      await again.kill("SIGTERM");
    }
  });

  it("explains a port that is taken and a port that is not a number", async () => {
    const first = await startSquall(home());
    try {
      const port = new URL(first.url).port;
      const taken = await squall("", ["up", "--port", port, "--home", home()]);
      assert.equal(taken.code, 1);
      assert.match(
        taken.stderr,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
      );
    } finally {
      await first.kill("SIGTERM");
    }
    const bad = await squall("", ["up", "--port", "abc", "--home", home()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SQUALL_PORT must be an integer/);
  });
});
