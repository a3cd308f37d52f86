/**
 * Hostile and broken requests: each gets a 4xx with a reason, nothing is stored, and the server
 * answers the next request normally.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BODY_LIMIT, type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
before(async () => {
  api = await startRestApi();
});
after(async () => {
  await api.close();
});

async function counts(): Promise<string> {
  const [actions, executions, config] = await Promise.all([
    api.call("GET", "/api/v1/actions?limit=-1"),
    api.call("GET", "/api/v1/executions?limit=-1"),
    api.call("GET", "/api/v1/configs/demo"),
  ]);
  return JSON.stringify([actions.body, executions.headers["x-total-count"], config.body]);
}

interface Case {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  reason: RegExp;
}

const HOSTILE = [
  "' OR 1=1 --",
  '"; DROP TABLE executions; --',
  ".*",
  "(a+)+$",
  "%00",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ é",
  "$where",
];

const cases: Case[] = [
  {
    name: "malformed JSON",
    method: "POST",
    url: "/api/v1/executions",
    body: '{"action": "demo.echo", ',
    status: 400,
    reason: /JSON/i,
  },
  {
    name: "JSON that is not an object",
    method: "POST",
    url: "/api/v1/executions",
    body: "[1, 2]",
    status: 400,
    reason: /object/,
  },
  {
    name: "wrong type for parameters",
    method: "POST",
    url: "/api/v1/executions",
    body: { action: "demo.echo", parameters: "password=x" },
    status: 400,
    reason: /parameters/,
  },
  {
    name: "a number where st2 wants a string is not coerced",
    method: "POST",
    url: "/api/v1/executions",
    body: { action: 42 },
    status: 400,
    reason: /action/,
  },
  {
    name: "unknown field on an execution",
    method: "POST",
    url: "/api/v1/executions",
    body: { action: "demo.echo", runas: "root" },
    status: 400,
    reason: /runas/,
  },
  {
    name: "unknown field on an action",
    method: "POST",
    url: "/api/v1/actions",
    body: { name: "x", pack: "demo", runner_type: "noop", shell: "/bin/sh" },
    status: 400,
    reason: /shell/,
  },
  {
    name: "missing required field",
    method: "POST",
    url: "/api/v1/actions",
    body: { name: "x" },
    status: 400,
    reason: /runner_type/,
  },
  {
    name: "unknown field on a sensor update",
    method: "PUT",
    url: "/api/v1/sensortypes/demo.Watch",
    body: { enabled: false, command: "rm -rf /" },
    status: 400,
    reason: /command/,
  },
  {
    name: "oversized body",
    method: "POST",
    url: "/api/v1/executions",
    body: { action: "demo.echo", parameters: { password: "x".repeat(BODY_LIMIT) } },
    status: 413,
    reason: /large|limit/i,
  },
  {
    name: "unsupported content type",
    method: "POST",
    url: "/api/v1/actions",
    body: "name=x",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    reason: /content-type|media type/i,
  },
  {
    name: "very long filter value",
    method: "GET",
    url: `/api/v1/executions?action=${"a".repeat(5000)}`,
    status: 400,
    reason: /action/,
  },
  {
    name: "very long sort key",
    method: "GET",
    url: `/api/v1/actions?sort=${"n".repeat(5000)}`,
    status: 400,
    reason: /sort/,
  },
  {
    name: "unknown status filter",
    method: "GET",
    url: "/api/v1/executions?status=pwned",
    status: 400,
    reason: /status/,
  },
  {
    name: "limit not a number",
    method: "GET",
    url: "/api/v1/executions?limit=1;DROP",
    status: 400,
    reason: /limit/,
  },
  {
    name: "bad timestamp filter",
    method: "GET",
    url: "/api/v1/executions?timestamp_gt=yesterday'",
    status: 400,
    reason: /timestamp/,
  },
  {
    name: "bad St2-Context header",
    method: "POST",
    url: "/api/v1/executions",
    body: { action: "demo.echo" },
    headers: { "st2-context": "{not json" },
    status: 400,
    reason: /St2-Context/,
  },
  {
    name: "config values that are not an object",
    method: "PUT",
    url: "/api/v1/configs/demo",
    body: '"token"',
    status: 400,
    reason: /object/,
  },
];

for (const sort of HOSTILE)
  cases.push({
    name: `hostile sort key ${JSON.stringify(sort)}`,
    method: "GET",
    url: `/api/v1/actions?sort=${encodeURIComponent(sort)}`,
    status: 400,
    reason: /sort/,
  });
for (const attr of HOSTILE)
  cases.push({
    name: `hostile include_attributes ${JSON.stringify(attr)}`,
    method: "GET",
    url: `/api/v1/packs?include_attributes=${encodeURIComponent(attr)}`,
    status: 400,
    reason: /include_attributes/,
  });

describe("bad input gets a 4xx with the reason, stores nothing, and the server keeps serving", () => {
  let before = "";
  it("records the state before", async () => {
    before = await counts();
  });

  for (const c of cases)
    it(c.name, async () => {
      const res = await api.call(c.method, c.url, c.body, c.headers);
      assert.equal(res.status, c.status, res.text);
      assert.match(String(res.body?.faultstring ?? res.body?.message ?? res.text), c.reason);
      const next = await api.call("GET", "/api/v1/packs/demo");
      assert.equal(next.status, 200, "a follow-up request works");
    });

  it("nothing was stored", async () => {
    assert.equal(await counts(), before);
  });

  for (const value of HOSTILE)
    it(`hostile filter value ${JSON.stringify(value)} matches nothing and harms nothing`, async () => {
      for (const url of [
        `/api/v1/executions?action=${encodeURIComponent(value)}`,
        `/api/v1/executions?user=${encodeURIComponent(value)}`,
        `/api/v1/actions?name=${encodeURIComponent(value)}`,
        `/api/v1/rules?pack=${encodeURIComponent(value)}`,
        `/api/v1/triggerinstances?trigger=${encodeURIComponent(value)}`,
      ]) {
        const res = await api.call("GET", url);
        assert.equal(res.status, 200, `${url}: ${res.text}`);
        assert.equal(res.headers["x-total-count"], "0");
      }
      assert.equal(await counts(), before);
    });
});
