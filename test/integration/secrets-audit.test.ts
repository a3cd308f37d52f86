/**
 * Secrets on a live node: every endpoint that can carry a secret parameter, a secret datastore
 * value or a secret config value masks it by default and for a non-administrator asking for
 * `show_secrets`, and shows what is stored in clear to an administrator who asks. The node's log
 * (at debug level) and the event stream never contain any of them.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HtpasswdFile } from "../../src/engine/auth/htpasswd.ts";
import {
  authHeaders,
  eventually,
  makeHome,
  type SquallProcess,
  startSquall,
} from "../support/squall-process.ts";

const PW = "pw-Secret-1234";
const KV = "kv-Secret-5678";
const CFG = "cfg-Secret-9012";
const ALL = [PW, KV, CFG];

const PACK: Record<string, string> = {
  "pack.yaml": "name: vault\ndescription: secrets\nversion: 1.0.0\nauthor: tests\n",
  "config.schema.yaml": "api_token:\n  type: string\n  secret: true\nregion:\n  type: string\n",
  "actions/leak.yaml": [
    "name: leak",
    "runner_type: local-shell-cmd",
    "parameters:",
    "  password:",
    "    type: string",
    "    secret: true",
    "  cmd:",
    "    default: 'echo pw={{ password }} kv={{ st2kv.system.vault_secret | decrypt_kv }} cfg={{ config_context.api_token }}'",
    "",
  ].join("\n"),
  "actions/flow.yaml": [
    "name: flow",
    "runner_type: orquesta",
    "entry_point: workflows/flow.yaml",
    "parameters:",
    "  password:",
    "    type: string",
    "    secret: true",
    "",
  ].join("\n"),
  "actions/workflows/flow.yaml": [
    "version: 1.0",
    "input:",
    "  - password",
    "tasks:",
    "  one:",
    "    action: vault.leak",
    "    input:",
    "      password: <% ctx().password %>",
    "",
  ].join("\n"),
  "rules/onhook.yaml": [
    "name: onhook",
    "enabled: true",
    "trigger:",
    "  type: core.st2.webhook",
    "  parameters:",
    "    url: vaulthook",
    "action:",
    "  ref: vault.leak",
    "  parameters:",
    `    password: ${PW}`,
    "",
  ].join("\n"),
  "aliases/leak.yaml": 'name: leak\naction_ref: vault.leak\nformats:\n  - "leak {{ password }}"\n',
};

let node: SquallProcess;
let cleanup = (): void => {};
let admin: Record<string, string> = {};
let viewer: Record<string, string> = {};
const ids: Record<string, string> = {};
const streamed: string[] = [];
const streamAbort = new AbortController();

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function finished(id: string): Promise<void> {
  await eventually(
    async () => {
      const res = await call("GET", `/api/v1/executions/${id}`, admin);
      const status = res.json().status;
      return status === "succeeded" || status === "failed" ? status : undefined;
    },
    30_000,
    `execution ${id} to finish`,
  );
}

before(async () => {
  const home = makeHome("squall-secrets-");
  cleanup = home.cleanup;
  for (const [file, text] of Object.entries(PACK)) {
    mkdirSync(join(home.home, "packs", "vault", file, ".."), { recursive: true });
    writeFileSync(join(home.home, "packs", "vault", file), text);
  }
  mkdirSync(join(home.home, "configs"), { recursive: true });
  writeFileSync(join(home.home, "configs", "vault.yaml"), `api_token: ${CFG}\nregion: eu\n`);
  new HtpasswdFile(join(home.home, "htpasswd")).setPassword("viewer", "viewer-pass");
  mkdirSync(join(home.home, "rbac", "assignments"), { recursive: true });
  writeFileSync(
    join(home.home, "rbac", "assignments", "viewer.yaml"),
    "username: viewer\nroles: [observer]\n",
  );
  node = await startSquall(home.home, { SQUALL_LOG_LEVEL: "debug" });
  admin = await authHeaders(node.url);
  const login = await fetch(`${node.url}/auth/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("viewer:viewer-pass").toString("base64")}` },
  });
  viewer = { "x-auth-token": String(((await login.json()) as { token: string }).token) };

  // The stream, read as the administrator, for the whole run.
  void (async () => {
    const res = await fetch(`${node.url}/stream/v1/stream`, {
      headers: admin,
      signal: streamAbort.signal,
    });
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return;
      streamed.push(decoder.decode(chunk.value));
    }
  })().catch(() => undefined);

  const kv = await call("PUT", "/api/v1/keys/vault_secret", admin, { value: KV, secret: true });
  assert.equal(kv.status, 200, kv.text);
  const run = await call("POST", "/api/v1/executions", admin, {
    action: "vault.leak",
    parameters: { password: PW },
  });
  assert.equal(run.status, 201, run.text);
  ids.leak = String(run.json().id);
  const flow = await call("POST", "/api/v1/executions", admin, {
    action: "vault.flow",
    parameters: { password: PW },
  });
  assert.equal(flow.status, 201, flow.text);
  ids.flow = String(flow.json().id);
  const hook = await call("POST", "/api/v1/webhooks/vaulthook", admin, { hello: "world" });
  assert.equal(hook.status, 202, hook.text);
  await finished(ids.leak);
  await finished(ids.flow);
  const enforcement = await eventually(
    async () => {
      const res = await call("GET", "/api/v1/ruleenforcements?rule_ref=vault.onhook", admin);
      const [first] = res.json() as unknown as Array<{ id: string; execution_id?: string }>;
      return first?.execution_id ? first : undefined;
    },
    20_000,
    "the rule to fire",
  );
  ids.enforcement = enforcement.id;
  ids.ruled = String(enforcement.execution_id);
  await finished(ids.ruled);
  const rerun = await call("POST", `/api/v1/executions/${ids.leak}/re_run`, admin, {});
  assert.equal(rerun.status, 201, rerun.text);
  ids.rerun = String(rerun.json().id);
  await finished(ids.rerun);
});

after(async () => {
  streamAbort.abort();
  await node?.kill("SIGTERM");
  cleanup();
});

type Mode = "default" | "viewer asks" | "admin asks";

/**
 * [what, method, path (ids filled in), body, secrets that must never show, secrets an
 * administrator asking sees]. Results and output are stored masked (the run masks them as they
 * are produced), so nobody sees those in clear.
 */
const ENDPOINTS: Array<[string, string, () => string, unknown, string[], string[]]> = [
  // The list holds the rule-fired run too (see below).
  ["executions list", "GET", () => "/api/v1/executions?action=vault.leak", undefined, ALL, ALL],
  ["execution", "GET", () => `/api/v1/executions/${ids.leak}`, undefined, ALL, [PW]],
  ["workflow execution", "GET", () => `/api/v1/executions/${ids.flow}`, undefined, ALL, [PW]],
  ["children", "GET", () => `/api/v1/executions/${ids.flow}/children`, undefined, ALL, [PW]],
  [
    "parameters attribute",
    "GET",
    () => `/api/v1/executions/${ids.leak}/attribute/parameters`,
    undefined,
    ALL,
    [PW],
  ],
  ["result", "GET", () => `/api/v1/executions/${ids.leak}/result`, undefined, ALL, []],
  ["output", "GET", () => `/api/v1/executions/${ids.leak}/output`, undefined, ALL, []],
  ["re-run execution", "GET", () => `/api/v1/executions/${ids.rerun}`, undefined, ALL, [PW]],
  // The rule rendered the secrets into `cmd` (as StackStorm does): stored, so shown on request.
  ["rule-fired execution", "GET", () => `/api/v1/executions/${ids.ruled}`, undefined, ALL, ALL],
  ["rule", "GET", () => "/api/v1/rules/vault.onhook", undefined, ALL, [PW]],
  ["rule view", "GET", () => "/api/v1/rules/views/vault.onhook", undefined, ALL, [PW]],
  [
    "rule enforcement view",
    "GET",
    () => `/api/v1/ruleenforcements/views/${ids.enforcement}`,
    undefined,
    ALL,
    [],
  ],
  ["config", "GET", () => "/api/v1/configs/vault", undefined, ALL, [CFG]],
  ["configs list", "GET", () => "/api/v1/configs", undefined, ALL, [CFG]],
  ["key", "GET", () => "/api/v1/keys/vault_secret", undefined, ALL, []],
  ["keys list", "GET", () => "/api/v1/keys", undefined, ALL, []],
  [
    "alias execution",
    "POST",
    () => "/api/v1/aliasexecution/match_and_execute",
    { command: `leak ${PW}`, source_channel: "audit" },
    ALL,
    [PW],
  ],
  ["trigger instances", "GET", () => "/api/v1/triggerinstances", undefined, ALL, []],
  ["traces", "GET", () => "/api/v1/traces", undefined, ALL, []],
];

describe("secrets in API responses", () => {
  for (const [what, method, path, body, hidden, revealed] of ENDPOINTS)
    for (const mode of ["default", "viewer asks", "admin asks"] as Mode[])
      it(`${what}: ${mode}`, async () => {
        const headers = mode === "viewer asks" ? viewer : admin;
        const url = path();
        const asked =
          mode === "default" ? url : `${url}${url.includes("?") ? "&" : "?"}show_secrets=true`;
        // The viewer may not run anything: its POSTs are refused, which shows nothing either.
        const res = await call(method, asked, headers, body);
        if (mode === "viewer asks" && method !== "GET") assert.equal(res.status, 403, res.text);
        else assert.ok(res.status < 300, `${res.status} ${res.text}`);
        const clear = mode === "admin asks" ? revealed : [];
        for (const secret of hidden)
          if (!clear.includes(secret))
            assert.ok(!res.text.includes(secret), `${secret} shows in ${res.text.slice(0, 600)}`);
        for (const secret of clear)
          assert.ok(res.text.includes(secret), `${secret} missing from ${res.text.slice(0, 600)}`);
      });

  it("the action really used every secret (so masking is what hides them)", async () => {
    const res = await call("GET", `/api/v1/executions/${ids.leak}`, admin);
    const stdout = String((res.json().result as { stdout?: string }).stdout);
    assert.equal(stdout, "pw=******** kv=******** cfg=********");
  });
});

describe("secrets in logs and the stream", () => {
  it("the node's log never shows them, nor the tokens used", () => {
    const log = node.output();
    assert.ok(log.length > 0);
    for (const secret of ALL) assert.ok(!log.includes(secret), `${secret} is in the node's log`);
    for (const token of [...Object.values(admin), ...Object.values(viewer)])
      assert.ok(!log.includes(token), "an auth token is in the node's log");
  });

  it("the event stream never shows them", () => {
    const text = streamed.join("");
    assert.match(text, /st2\.execution__update/);
    for (const secret of ALL) assert.ok(!text.includes(secret), `${secret} is in the stream`);
  });
});
