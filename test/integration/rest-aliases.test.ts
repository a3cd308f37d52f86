/**
 * Action aliases through the v1 API: the resource routes, `match`, `help`, and running an
 * action through an alias (`/aliasexecution`, `/aliasexecution/match_and_execute`).
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
before(async () => {
  api = await startRestApi();
  const action = await api.call("POST", "/api/v1/actions", {
    name: "fanout",
    pack: "demo",
    runner_type: "noop",
    parameters: {
      hosts: { type: "array" },
      count: { type: "integer" },
      force: { type: "boolean" },
      token: { type: "string", secret: true },
    },
  });
  assert.equal(action.status, 201, action.text);
});
after(async () => {
  await api.close();
});

const ECHO = {
  name: "echo",
  pack: "demo",
  action_ref: "demo.echo",
  description: "Echo something",
  formats: ["say {{ cmd }}", { display: "shout <cmd>", representation: ["shout {{ cmd }}"] }],
  ack: {
    format: "Running {{ actionalias.ref }} as {{ execution.id }}",
    extra: { n: "{{ execution.action.ref }}" },
  },
};

const FANOUT = {
  name: "fanout",
  pack: "demo",
  action_ref: "demo.fanout",
  formats: ["fan {{ count }} to {{ hosts }} {{ force = false }}"],
  immutable_parameters: { token: "from-{{ api_user }}" },
};

describe("action aliases: resource routes", () => {
  it("creates, lists, gets, updates and deletes an alias", async () => {
    const created = await api.call("POST", "/api/v1/actionalias", ECHO);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.ref, "demo.echo");
    assert.equal(created.body.id, "demo.echo");
    assert.equal(created.body.uid, "action_alias:demo:echo");
    assert.equal((await api.call("POST", "/api/v1/actionalias", ECHO)).status, 409);
    assert.equal((await api.call("POST", "/api/v1/actionalias", FANOUT)).status, 201);
    await api.call("POST", "/api/v1/actionalias", { ...ECHO, name: "other", pack: "zpack" });

    const list = await api.call(
      "GET",
      "/api/v1/actionalias?limit=2&include_attributes=ref,formats",
    );
    assert.equal(list.status, 200, list.text);
    assert.equal(list.headers["x-total-count"], "3");
    assert.deepEqual(
      list.body.map((a: { ref: string }) => a.ref),
      ["demo.echo", "demo.fanout"],
    );
    assert.equal(list.body[0].description, undefined, "projection leaves description out");
    const sorted = await api.call("GET", "/api/v1/actionalias?sort=-name&pack=demo");
    assert.deepEqual(
      sorted.body.map((a: { name: string }) => a.name),
      ["fanout", "echo"],
    );
    assert.equal((await api.call("GET", "/v1/actionalias/demo.echo")).body.name, "echo");
    assert.equal((await api.call("GET", "/api/v1/actionalias/fanout")).body.ref, "demo.fanout");

    const updated = await api.call("PUT", "/api/v1/actionalias/zpack.other", {
      ...ECHO,
      name: "other",
      pack: "zpack",
      enabled: false,
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.enabled, false);
    const renamed = await api.call("PUT", "/api/v1/actionalias/zpack.other", {
      ...ECHO,
      pack: "zpack",
    });
    assert.equal(renamed.status, 400);
    assert.match(renamed.body.faultstring, /cannot be renamed/);
    assert.equal((await api.call("DELETE", "/api/v1/actionalias/zpack.other")).status, 204);
    assert.equal((await api.call("GET", "/api/v1/actionalias/zpack.other")).status, 404);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a format that is no pattern", { ...ECHO, name: "b1", formats: ["run {{ a-b }}"] }, /formats/],
    ["a missing action_ref", { name: "b2", pack: "demo", formats: ["x"] }, /action_ref/],
    ["an unknown field", { ...ECHO, name: "b3", colour: "red" }, /colour/],
  ];
  for (const [why, body, message] of bad)
    it(`refuses ${why} with 400 and stores nothing`, async () => {
      const res = await api.call("POST", "/api/v1/actionalias", body);
      assert.equal(res.status, 400, res.text);
      assert.match(JSON.stringify(res.body), message);
      const name = (body as { name: string }).name;
      assert.equal(await api.store.content.getAlias(`demo.${name}`), null);
    });
});

describe("action aliases: match and help", () => {
  const cases: Array<[string, number, Record<string, unknown> | RegExp]> = [
    ["say hello", 200, { display: "say {{ cmd }}", representation: "say {{ cmd }}" }],
    ["shout hello", 200, { display: "shout <cmd>", representation: "shout {{ cmd }}" }],
    ["whisper hello", 400, /matched no patterns/],
  ];
  for (const [command, status, expected] of cases)
    it(`matches "${command}"`, async () => {
      const res = await api.call("POST", "/api/v1/actionalias/match", { command });
      assert.equal(res.status, status, res.text);
      if (expected instanceof RegExp) assert.match(res.body.faultstring, expected);
      else {
        assert.equal(res.body.actionalias.ref, "demo.echo");
        assert.equal(res.body.display, expected.display);
        assert.equal(res.body.representation, expected.representation);
      }
    });

  it("answers 400 when two aliases fit", async () => {
    await api.call("POST", "/api/v1/actionalias", {
      ...ECHO,
      name: "echo2",
      formats: ["say {{ x }}"],
    });
    const res = await api.call("POST", "/api/v1/actionalias/match", { command: "say hi" });
    assert.equal(res.status, 400);
    assert.match(res.body.faultstring, /matched more than 1 pattern/);
    await api.call("DELETE", "/api/v1/actionalias/demo.echo2");
  });

  it("lists help strings with filter, pack and paging", async () => {
    const all = await api.call("GET", "/api/v1/actionalias/help");
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.available, 3);
    const page = await api.call("GET", "/api/v1/actionalias/help?filter=SHOUT&limit=1");
    assert.deepEqual(page.body, {
      available: 1,
      helpstrings: [{ pack: "demo", display: "shout <cmd>", description: "Echo something" }],
    });
  });
});

describe("action aliases: executions", () => {
  it("runs the named alias's action with the command's parameters and acknowledges", async () => {
    const res = await api.call("POST", "/api/v1/aliasexecution", {
      name: "echo",
      format: "say {{ cmd }}",
      command: "say hello world password=hunter22",
      user: "chat-user",
      source_channel: "ops",
    });
    assert.equal(res.status, 201, res.text);
    const { execution, actionalias, message, extra } = res.body;
    assert.equal(execution.action.ref, "demo.echo");
    assert.equal(execution.parameters.cmd, "hello world");
    assert.equal(execution.parameters.password, "********", "secret masked");
    assert.deepEqual(
      {
        alias: execution.context.action_alias_ref,
        api_user: execution.context.api_user,
        channel: execution.context.source_channel,
      },
      { alias: "demo.echo", api_user: "chat-user", channel: "ops" },
    );
    assert.equal(actionalias.ref, "demo.echo");
    assert.equal(message, `Running demo.echo as ${execution.id}`);
    assert.deepEqual(extra, { n: "demo.echo" });
    const stored = await api.store.executions.get(execution.id);
    assert.equal(stored?.parameters.password, "hunter22");
  });

  it("match_and_execute casts parameters and adds rendered immutable ones", async () => {
    const res = await api.call("POST", "/api/v1/aliasexecution/match_and_execute", {
      command: "fan 3 to a,b,c true",
      user: "alice",
      source_channel: "cli",
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.results.length, 1);
    const [{ execution, message }] = res.body.results;
    assert.equal(message, undefined, "no ack configured");
    const stored = await api.store.executions.get(execution.id);
    assert.deepEqual(stored?.parameters, {
      count: 3,
      hosts: ["a", "b", "c"],
      force: true,
      token: "from-alice",
    });
    assert.equal(execution.parameters.token, "********");
  });

  it("shows secrets to administrators who ask", async () => {
    api.admin.value = true;
    try {
      const res = await api.call(
        "POST",
        "/api/v1/aliasexecution/match_and_execute?show_secrets=true",
        {
          command: "fan 1 to h",
          user: "bob",
        },
      );
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.results[0].execution.parameters.token, "from-bob");
    } finally {
      api.admin.value = false;
    }
  });

  const refused: Array<[string, Record<string, unknown>, number, RegExp]> = [
    [
      "an immutable parameter given",
      { name: "fanout", format: FANOUT.formats[0] as string, command: "fan 1 to h token=x" },
      400,
      /Immutable arguments cannot be overriden: token/,
    ],
    [
      "a format the alias lacks",
      { name: "echo", format: "nope {{ x }}", command: "nope 1" },
      400,
      /not available on the alias/,
    ],
    [
      "a command the format does not fit",
      { name: "echo", format: "say {{ cmd }}", command: "yell hi" },
      400,
      /doesn't match format string/,
    ],
    ["an unknown alias", { name: "ghost", format: "x", command: "x" }, 404, /ghost/],
    [
      "a wrongly typed value",
      { name: "fanout", format: FANOUT.formats[0] as string, command: "fan many to h" },
      400,
      /count/,
    ],
  ];
  for (const [why, body, status, message] of refused)
    it(`refuses ${why}`, async () => {
      const before = (await api.store.executions.list({}, { limit: 1000 })).total;
      const res = await api.call("POST", "/api/v1/aliasexecution", {
        source_channel: "t",
        ...body,
      });
      assert.equal(res.status, status, res.text);
      assert.match(res.body.faultstring, message);
      assert.equal((await api.store.executions.list({}, { limit: 1000 })).total, before);
    });

  it("refuses a disabled alias and one whose action is gone", async () => {
    await api.call("POST", "/api/v1/actionalias", {
      ...ECHO,
      name: "off",
      enabled: false,
      formats: ["off {{x}}"],
    });
    const off = await api.call("POST", "/api/v1/aliasexecution", {
      name: "off",
      format: "off {{x}}",
      command: "off 1",
    });
    assert.equal(off.status, 400);
    assert.match(off.body.faultstring, /is disabled/);
    await api.call("POST", "/api/v1/actionalias", {
      ...ECHO,
      name: "lost",
      action_ref: "demo.gone",
      formats: ["lost {{x}}"],
    });
    const lost = await api.call("POST", "/api/v1/aliasexecution/match_and_execute", {
      command: "lost 1",
    });
    assert.equal(lost.status, 404);
    assert.match(lost.body.faultstring, /demo\.gone/);
  });
});
