/**
 * Inquiries end to end: the real `squall` CLI against a real `squall up`. `core.ask` leaves its
 * execution pending and announces it with a `core.st2.generic.inquiry` instance; a response the
 * schema refuses is a 400 and changes nothing; a valid one completes the execution with it; a
 * pending inquiry survives a restart of the node.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution } from "../../src/core/execution/model.ts";
import { squall } from "../support/cli.ts";
import {
  api,
  eventually,
  makeHome,
  startSquall,
  useSquallNode,
} from "../support/squall-process.ts";

// Authentication is another suite's subject; here every request acts as the system user.
const NO_AUTH = { SQUALL_AUTH_ENABLED: "false" };

async function ask(url: string, ...params: string[]): Promise<Execution> {
  const res = await squall(url, ["run", "core.ask", ...params, "--json"]);
  // `squall run` stops waiting at `pending`; its exit code (0 only for succeeded) is run's concern.
  assert.ok(
    res.stdout.trim().startsWith("{"),
    `squall run core.ask printed no execution: ${res.stderr}`,
  );
  const execution = JSON.parse(res.stdout) as Execution;
  assert.equal(execution.status, "pending");
  return execution;
}

describe("inquiries on a running node", () => {
  const running = useSquallNode(NO_AUTH);

  it("squall run core.ask → pending, announced, listed; answered → succeeded", async () => {
    const url = running.node.url;
    const asked = await ask(url, "route=ops", "ttl=30");
    assert.equal(asked.status, "pending");
    assert.deepEqual(asked.result, {
      schema: {
        title: "response_data",
        type: "object",
        properties: {
          continue: {
            type: "boolean",
            description: "Would you like to continue the workflow?",
            required: true,
          },
        },
      },
      roles: [],
      users: [],
      route: "ops",
      ttl: 30,
    });

    const instances = await api<Array<{ payload: unknown }>>(
      url,
      "GET",
      "/triggerinstances?trigger=core.st2.generic.inquiry",
    );
    assert.equal(instances.status, 200);
    assert.deepEqual(
      instances.body.map((i) => i.payload),
      [{ id: asked.id, route: "ops" }],
    );

    const listed = await squall(url, ["inquiry", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ id: string }>).map((i) => i.id),
      [asked.id],
    );

    const refused = await squall(url, ["inquiry", "respond", asked.id, "-r", '{"continue": "x"}']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /response\.continue.*HTTP 400/);
    const raw = await api<{ faultstring: string }>(url, "PUT", `/inquiries/${asked.id}`, {
      id: asked.id,
      response: {},
    });
    assert.equal(raw.status, 400);
    assert.match(raw.body.faultstring, /response\.continue is required/);
    const still = await squall(url, ["execution", "get", asked.id, "--json"]);
    assert.equal((JSON.parse(still.stdout) as Execution).status, "pending");

    const answered = await squall(url, [
      "inquiry",
      "respond",
      asked.id,
      "-r",
      '{"continue": true}',
    ]);
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, new RegExp(`Response accepted for inquiry ${asked.id}`));
    const done = await squall(url, ["execution", "get", asked.id, "--json"]);
    const execution = JSON.parse(done.stdout) as Execution;
    assert.equal(execution.status, "succeeded");
    assert.deepEqual((execution.result as { response: unknown }).response, { continue: true });
    assert.deepEqual(
      execution.log.map((l) => l.status),
      ["requested", "scheduled", "running", "pending", "succeeded"],
    );
    // Completed like any execution: the action trigger fires for it.
    await eventually(
      async () => {
        const t = await api<Array<{ payload: { execution_id: string } }>>(
          url,
          "GET",
          "/triggerinstances?trigger=core.st2.generic.actiontrigger",
        );
        return t.body.some((i) => i.payload.execution_id === asked.id) ? true : undefined;
      },
      10_000,
      "the action trigger of the answered inquiry",
    );
    const gone = await squall(url, ["inquiry", "list", "--json"]);
    assert.deepEqual(JSON.parse(gone.stdout), []);
  });

  it("answers 403 to a user the inquiry does not list", async () => {
    const url = running.node.url;
    const asked = await ask(url, 'users=["al"]');
    const res = await squall(url, ["inquiry", "respond", asked.id, "-r", '{"continue": true}']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /"stanley" does not have permission.*only "al" may respond/);
    const still = await api<Execution>(url, "GET", `/executions/${asked.id}`);
    assert.equal(still.body.status, "pending");
  });

  it("cancels a pending inquiry at once", async () => {
    const url = running.node.url;
    const asked = await ask(url);
    const res = await squall(url, ["execution", "cancel", asked.id]);
    assert.equal(res.code, 0, res.stderr);
    const after = await api<Execution>(url, "GET", `/executions/${asked.id}`);
    assert.equal(after.body.status, "canceled");
  });
});

describe("a pending inquiry across a restart", () => {
  it("stays pending (not abandoned) and can be answered afterwards", async () => {
    const { home, cleanup } = makeHome();
    try {
      const first = await startSquall(home, NO_AUTH);
      let id: string;
      try {
        id = (await ask(first.url)).id;
      } finally {
        await first.kill("SIGKILL");
      }
      const second = await startSquall(home, NO_AUTH);
      try {
        // A later execution proves the new node's worker runs; the inquiry must stay pending.
        const probe = await squall(second.url, ["run", "core.noop", "--json"]);
        assert.equal(probe.code, 0, probe.stderr);
        const still = await api<Execution>(second.url, "GET", `/executions/${id}`);
        assert.equal(still.body.status, "pending");
        const res = await api(second.url, "PUT", `/inquiries/${id}`, {
          id,
          response: { continue: false },
        });
        assert.equal(res.status, 200);
        const done = await api<Execution>(second.url, "GET", `/executions/${id}`);
        assert.equal(done.body.status, "succeeded");
      } finally {
        await second.kill("SIGTERM");
      }
    } finally {
      cleanup();
    }
  });
});
