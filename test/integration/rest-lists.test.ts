/**
 * The older list endpoints (reactor, datastore, webhooks) follow st2's list conventions like
 * the newer ones: limit/offset with X-Total-Count and X-Limit, sort, include_attributes and
 * exclude_attributes; they are documented with those parameters; and non-administrators get
 * at most st2's max_page_size.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { newId } from "../../src/engine/ids.ts";
import { type Json, type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
before(async () => {
  api = await startRestApi();
  const rule = (name: string, url: string) => ({
    name,
    pack: "demo",
    enabled: true,
    trigger: { type: "core.st2.webhook", parameters: { url } },
    action: { ref: "demo.echo" },
  });
  for (const [name, url] of [
    ["hook_a", "alpha"],
    ["hook_b", "beta"],
  ] as const) {
    const res = await api.call("POST", "/api/v1/rules", rule(name, url));
    assert.equal(res.status, 201, res.text);
  }
  for (const delta of [10, 20]) {
    const res = await api.call("POST", "/api/v1/triggers", {
      type: "core.st2.IntervalTimer",
      parameters: { unit: "seconds", delta },
    });
    assert.equal(res.status, 201, res.text);
  }
  for (const name of ["k1", "k2", "k3"])
    assert.equal((await api.call("PUT", `/api/v1/keys/${name}`, { value: name })).status, 200);
  const at = new Date().toISOString();
  const instances = [newId(), newId()];
  await api.store.reactor.commit([
    ...instances.map((id) => ({
      op: "instance.create" as const,
      instance: { id, trigger: "demo.seen", payload: {}, occurrence_time: at, trace_tag: id },
    })),
    ...instances.map((id) => ({
      op: "enforcement.create" as const,
      enforcement: {
        id: newId(),
        trigger_instance_id: id,
        execution_id: null,
        rule: { ref: "demo.hook_a", uid: "rule:demo:hook_a" },
        enforced_at: at,
        status: "failed" as const,
        failure_reason: "test",
      },
    })),
    ...instances.map((id) => ({
      op: "trace.link" as const,
      trace_tag: id,
      trace_id: newId(),
      kind: "trigger_instance" as const,
      component: { object_id: id, ref: "demo.seen", updated_at: at, caused_by: {} },
    })),
  ]);
});
after(async () => {
  await api.close();
});

/** [path, a sortable key, an attribute every record has]. */
const LISTS: Array<[string, string, string]> = [
  ["/triggertypes", "ref", "payload_schema"],
  ["/triggers", "ref", "parameters"],
  ["/triggerinstances", "id", "payload"],
  ["/traces", "id", "trace_tag"],
  ["/timers", "ref", "parameters"],
  ["/rules", "name", "criteria"],
  ["/rules/views", "name", "criteria"],
  ["/ruleenforcements", "id", "rule"],
  ["/ruleenforcements/views", "id", "rule"],
  ["/keys", "name", "value"],
  ["/webhooks", "url", "parameters"],
];

const ids = (body: Json[]) => body.map((r) => JSON.stringify(r.id ?? r.name ?? r.url));

describe("old list endpoints honour st2's list parameters", () => {
  for (const [path, key, attribute] of LISTS) {
    describe(path, () => {
      let all: Json[] = [];
      before(async () => {
        const res = await api.call("GET", `/api/v1${path}`);
        assert.equal(res.status, 200, res.text);
        all = res.body;
        assert.ok(all.length >= 2, `${path} needs at least two records, has ${all.length}`);
        assert.equal(res.headers["x-total-count"], String(all.length));
        assert.equal(res.headers["x-limit"], "100");
      });

      it("limit and offset page; X-Total-Count stays the total", async () => {
        const res = await api.call("GET", `/api/v1${path}?limit=1&offset=1`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.length, 1);
        assert.equal(res.headers["x-limit"], "1");
        assert.equal(res.headers["x-total-count"], String(all.length));
        assert.deepEqual(ids(res.body), ids(all.slice(1, 2)));
      });

      it(`sort=${key} and sort=-${key} are reverses of each other`, async () => {
        const up = (await api.call("GET", `/api/v1${path}?sort=${key}`)).body;
        const down = (await api.call("GET", `/api/v1${path}?sort=-${key}`)).body;
        assert.equal(up.length, all.length);
        assert.deepEqual(ids(down), ids(up).reverse());
        const firstKeys = up.map((r: Json) => String(r[key]));
        assert.deepEqual(firstKeys, [...firstKeys].sort());
        const lastOne = (await api.call("GET", `/api/v1${path}?sort=-${key}&limit=1`)).body;
        assert.deepEqual(ids(lastOne), ids(up.slice(-1)));
      });

      it("an unknown sort key is a 400 naming sort", async () => {
        const res = await api.call("GET", `/api/v1${path}?sort=__proto__`);
        assert.equal(res.status, 400);
        assert.match(res.body.faultstring, /sort/);
      });

      it(`include_attributes=${attribute} and exclude_attributes=${attribute}`, async () => {
        const only = (await api.call("GET", `/api/v1${path}?include_attributes=${attribute}`)).body;
        for (const r of only)
          for (const k of Object.keys(r)) assert.ok(k === "id" || k === attribute, `${path}: ${k}`);
        assert.ok(only.some((r: Json) => r[attribute] !== undefined));
        const without = (await api.call("GET", `/api/v1${path}?exclude_attributes=${attribute}`))
          .body;
        assert.equal(without.length, all.length);
        for (const r of without) assert.equal(r[attribute], undefined);
      });
    });
  }
});

describe("the OpenAPI document lists their parameters", () => {
  it("each old list route documents limit, offset, sort and the attribute lists", async () => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).body;
    for (const [path] of LISTS) {
      const op = doc.paths[`/api/v1${path}`]?.get;
      assert.ok(op, path);
      const names = op.parameters.map((p: { name: string }) => p.name);
      for (const n of ["limit", "offset", "sort", "include_attributes", "exclude_attributes"])
        assert.ok(names.includes(n), `${path} lacks ${n}`);
    }
    for (const [method, path] of [
      ["post", "/api/v1/rules"],
      ["delete", "/api/v1/rules/{ref}"],
      ["post", "/api/v1/triggertypes"],
      ["put", "/api/v1/triggers/{id}"],
      ["post", "/api/v1/policies"],
      ["post", "/api/v1/actions/{ref}/clone"],
      ["get", "/api/v1/executions/views/filters"],
    ] as const)
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    const ruleBody = doc.paths["/api/v1/rules"].post.requestBody.content["application/json"].schema;
    assert.deepEqual(ruleBody.required, ["name", "trigger", "action"]);
  });
});

describe("max_page_size: limits above 100 are for administrators", () => {
  const cases: Array<[string, { name: string; isAdmin: boolean } | undefined, string, number]> = [
    ["a user", { name: "u", isAdmin: false }, "limit=100", 200],
    ["a user", { name: "u", isAdmin: false }, "limit=101", 403],
    ["a user", { name: "u", isAdmin: false }, "limit=-1", 403],
    ["an administrator", { name: "a", isAdmin: true }, "limit=1000", 200],
    ["an administrator", { name: "a", isAdmin: true }, "limit=-1", 200],
    ["no authentication", undefined, "limit=-1", 200],
  ];
  for (const [who, user, query, status] of cases)
    for (const path of ["/actions", "/triggertypes", "/executions"])
      it(`${who}: GET ${path}?${query} → ${status}`, async () => {
        api.user.value = user;
        try {
          const res = await api.call("GET", `/api/v1${path}?${query}`);
          assert.equal(res.status, status, res.text);
          if (status === 403) assert.match(res.body.faultstring, /limit|Limit/);
        } finally {
          api.user.value = undefined;
        }
      });
});
