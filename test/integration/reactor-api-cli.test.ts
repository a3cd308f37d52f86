/**
 * The reactor CLI commands (rule, rule-enforcement, trigger, trigger-instance, trace, timer,
 * webhook) against the real reactor API listening on 127.0.0.1, run in-process.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { newId } from "../../src/engine/ids.ts";
import { type InProcessResult, runCliInProcess } from "../support/cli-in-process.ts";
import { type ReactorApi, startReactorApi } from "./reactor-api-fixture.ts";

let api: ReactorApi;
let url: string;
let dir: string;

before(async () => {
  api = await startReactorApi();
  await api.app.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "squall-reactor-cli-"));
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<InProcessResult> {
  return runCliInProcess(url, dir, args);
}

describe("squall rule", () => {
  it("lists rules as a table and as JSON, with filters", async () => {
    const table = await cli("rule", "list");
    assert.equal(table.code, 0);
    assert.match(table.out, /\| demo\.on_hook +\| demo +\| rule on_hook +\| true +\|/);
    const disabled = await cli("--json", "rule", "list", "--disabled");
    assert.deepEqual(
      JSON.parse(disabled.out).map((r: { ref: string }) => r.ref),
      ["demo.bad_timer"],
    );
    const both = await cli("rule", "list", "--enabled", "--disabled");
    assert.equal(both.code, 1);
    assert.match(both.err, /--enabled or --disabled/);
  });

  it("gets a rule, and explains a missing one", async () => {
    const got = await cli("rule", "get", "demo.on_hook");
    assert.equal(got.code, 0);
    assert.match(got.out, /^id: demo\.on_hook$/m);
    assert.match(got.out, /url: hook1/);
    assert.match(got.out, /password: "\*{8}"/);
    const missing = await cli("rule", "get", "demo.nope");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Rule "demo\.nope" not found\. Run `squall rule list`/);
  });

  it("disables and re-enables a rule, which the matcher follows at once", async () => {
    const off = await cli("rule", "disable", "demo.on_event");
    assert.equal(off.code, 0);
    assert.match(off.out, /^enabled: false$/m);
    assert.equal(api.rules.rulesFor("demo.event").length, 0);
    const on = await cli("rule", "enable", "demo.on_event");
    assert.equal(on.code, 0);
    assert.equal(api.rules.rulesFor("demo.event").length, 1);
    const stored = await api.store.content.getRule("demo.on_event");
    assert.equal(stored?.action.parameters?.password, "hunter2");
  });

  it("refuses to enable a rule the reactor cannot use", async () => {
    const res = await cli("rule", "enable", "demo.bad_timer");
    assert.equal(res.code, 1);
    assert.match(res.err, /not updated: .*unit/);
  });
});

describe("squall rule test (offline)", () => {
  const RULE = [
    "name: big_orders",
    "pack: shop",
    "enabled: true",
    "trigger:",
    "  type: shop.order",
    "criteria:",
    "  trigger.total:",
    "    type: greaterthan",
    '    pattern: "{{ 100 }}"',
    "action:",
    "  ref: core.noop",
    "",
  ].join("\n");

  it("exits 0 when the rule matches and 1 when not, naming the criterion", async () => {
    writeFileSync(join(dir, "rule.yaml"), RULE);
    writeFileSync(
      join(dir, "big.json"),
      JSON.stringify({ trigger: "shop.order", payload: { total: 250 } }),
    );
    writeFileSync(join(dir, "small.yaml"), "trigger: shop.order\npayload:\n  total: 20\n");
    const yes = await cli("rule", "test", "rule.yaml", "big.json");
    assert.equal(yes.code, 0);
    assert.match(yes.out, /shop\.big_orders .*MATCHES/);
    const no = await cli("rule", "test", "rule.yaml", "small.yaml");
    assert.equal(no.code, 1);
    assert.match(no.out, /DOES NOT MATCH/);
    assert.match(no.out, /FAIL +trigger\.total/);
    const json = await cli("--json", "rule", "test", "rule.yaml", "small.yaml");
    assert.equal(JSON.parse(json.out).failed.key, "trigger.total");
  });

  it("reports a broken rule file with its line, and a missing file", async () => {
    writeFileSync(join(dir, "broken.yaml"), RULE.replace("type: greaterthan", "type: biggerthan"));
    writeFileSync(
      join(dir, "big.json"),
      JSON.stringify({ trigger: "shop.order", payload: { total: 250 } }),
    );
    const broken = await cli("rule", "test", "broken.yaml", "big.json");
    assert.equal(broken.code, 1);
    assert.match(
      broken.err,
      /broken\.yaml:8: criteria\.trigger\.total\.type "biggerthan" is not a known operator/,
    );
    const missing = await cli("rule", "test", "nope.yaml", "big.json");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read nope\.yaml \(ENOENT\)/);
  });
});

describe("squall trigger, trigger-instance, rule-enforcement, trace, timer, webhook", () => {
  it("lists and shows trigger types", async () => {
    const list = await cli("trigger", "list", "--pack", "demo");
    assert.match(list.out, /\| demo\.event +\| demo +\| Something happened in the demo +\|/);
    const got = await cli("trigger", "get", "core.st2.webhook");
    assert.match(got.out, /^parameters_schema:$/m);
    assert.equal((await cli("trigger", "get", "demo.none")).code, 1);
  });

  it("lists, shows and re-emits trigger instances", async () => {
    const first = await api.fire({ n: 1 }, Date.UTC(2024, 1, 1));
    await api.fire({ n: 2 }, Date.UTC(2024, 1, 2));
    const one = await cli("trigger-instance", "list", "-n", "1", "--trigger", "demo.event");
    assert.equal(one.code, 0);
    assert.equal(one.out.match(/\| [0-9a-f]{24} \|/g)?.length, 1);
    assert.match(one.err, /only the 1 most recent of \d+ trigger instances/);
    assert.equal((await cli("trigger-instance", "list", "--status", "done")).code, 1);
    const got = await cli("trigger-instance", "get", first);
    assert.match(got.out, /^payload:\n {2}n: 1$/m);
    const replay = await cli("trigger-instance", "re-emit", first);
    assert.equal(replay.code, 0);
    assert.match(replay.out, new RegExp(`Trigger instance ${first} successfully re-sent`));
    assert.match(replay.out, /New trigger instance: [0-9a-f]{24}/);
    const missing = await cli("trigger-instance", "re-emit", "000000000000000000000000");
    assert.match(missing.err, /squall trigger-instance list/);
  });

  it("lists and shows rule enforcements", async () => {
    const instance = await api.fire({ n: 3 }, Date.UTC(2024, 1, 3));
    const id = newId();
    await api.store.reactor.commit([
      {
        op: "enforcement.create",
        enforcement: {
          id,
          trigger_instance_id: instance,
          execution_id: null,
          rule: { ref: "demo.on_event", uid: "rule:demo:on_event" },
          enforced_at: "2024-02-03T00:00:01.000Z",
          status: "failed",
          failure_reason: "action demo.echo is disabled",
        },
      },
    ]);
    const list = await cli("rule-enforcement", "list", "--rule", "demo.on_event");
    assert.match(list.out, new RegExp(`\\| ${id} \\| demo\\.on_event +\\| ${instance} \\|`));
    const got = await cli("rule-enforcement", "get", id);
    assert.match(got.out, /^failure_reason: action demo\.echo is disabled$/m);
  });

  it("lists traces by tag and shows one's components", async () => {
    const instance = await api.fire({ n: 4 }, Date.UTC(2024, 1, 4), "release-42");
    const list = await cli("--json", "trace", "list", "--trace-tag", "release-42");
    const [trace] = JSON.parse(list.out);
    const got = await cli("trace", "get", trace.id);
    assert.match(got.out, /^trace_tag: release-42$/m);
    assert.match(got.out, new RegExp(`\\| trigger-instance \\| ${instance} \\| demo\\.event \\|`));
  });

  it("lists timers and webhooks", async () => {
    const timers = await cli("timer", "list");
    assert.match(timers.out, /core\.st2\.IntervalTimer/);
    assert.match(timers.out, /"unit":"seconds"/);
    assert.equal((await cli("timer", "list", "--timer-type", "CronTimer")).out, "");
    assert.equal((await cli("timer", "list", "--timer-type", "hourly")).code, 1);
    const hooks = await cli("webhook", "list");
    assert.match(hooks.out, /\| hook1 +\| core\.st2\.webhook +\|/);
  });
});
