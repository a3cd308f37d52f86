import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../src/core/errors.ts";
import type { RunnerOutcome } from "../../src/engine/runners/contract.ts";
import { createHttpRunner } from "../../src/engine/runners/http.ts";
import { makeRequest } from "../fixtures/runners/request.ts";

const runner = createHttpRunner({ userAgent: "squall-test" });
let server: Server;
let base = "";
const held: ServerResponse[] = [];

function echo(req: IncomingMessage, res: ServerResponse, body: string): void {
  res.setHeader("Content-Type", "application/json");
  res.setHeader("X-Multi", ["a", "b"]);
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? "/", base);
  if (url.pathname === "/echo") {
    echo(req, res, body);
    return;
  }
  if (url.pathname === "/status") {
    res.statusCode = Number(url.searchParams.get("code"));
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("status body");
    return;
  }
  if (url.pathname === "/redirect") {
    res.statusCode = Number(url.searchParams.get("code") ?? 302);
    res.setHeader("Location", "/echo?from=redirect");
    res.end();
    return;
  }
  if (url.pathname === "/loop") {
    res.statusCode = 302;
    res.setHeader("Location", "/loop");
    res.end();
    return;
  }
  if (url.pathname === "/bad-json") {
    res.setHeader("Content-Type", "application/json");
    res.end("{not json");
    return;
  }
  if (url.pathname === "/hang") {
    held.push(res);
    return;
  }
  res.statusCode = 404;
  res.end();
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function run(parameters: Record<string, unknown>, signal?: AbortSignal): Promise<RunnerOutcome> {
  return runner.run(makeRequest({ runner: "http-request", parameters, signal }));
}

interface HttpResult {
  status_code: number;
  body: unknown;
  parsed: boolean;
  headers: Record<string, string>;
}

function res(outcome: RunnerOutcome): HttpResult {
  return outcome.result as HttpResult;
}

function echoed(outcome: RunnerOutcome): {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
} {
  return res(outcome).body as ReturnType<typeof echoed>;
}

describe("http-request", () => {
  it("GETs, parses a JSON response and keeps the response headers", async () => {
    const outcome = await run({ url: `${base}/echo` });
    assert.equal(outcome.status, "succeeded");
    assert.equal(res(outcome).status_code, 200);
    assert.equal(res(outcome).parsed, true);
    assert.equal(echoed(outcome).method, "GET");
    assert.equal(echoed(outcome).headers["user-agent"], "squall-test");
    assert.equal(echoed(outcome).headers["x-stanley-action"], "action");
    assert.equal(res(outcome).headers["Content-Type"], "application/json");
    assert.equal(res(outcome).headers["X-Multi"], "a, b");
  });

  it("sends query params (lists repeat, Python str values) after existing ones", async () => {
    const outcome = await run({
      url: `${base}/echo?x=1`,
      params: { q: "a b", many: ["1", "2"], flag: true, skip: null },
    });
    assert.equal(echoed(outcome).url, "/echo?x=1&q=a+b&many=1&many=2&flag=True");
  });

  it("POSTs a body by default and re-encodes JSON (including Python literals)", async () => {
    const plain = await run({ url: `${base}/echo`, body: "raw text" });
    assert.equal(echoed(plain).method, "POST");
    assert.equal(echoed(plain).body, "raw text");
    assert.equal(echoed(plain).headers["content-length"], "8");

    const json = await run({
      url: `${base}/echo`,
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-Custom": "yes" },
      body: "{'a': True, 'b': [1, None], 'c': 'é'}",
    });
    assert.equal(echoed(json).method, "PUT");
    assert.equal(echoed(json).headers["x-custom"], "yes");
    assert.equal(echoed(json).body, '{"a":true,"b":[1,null],"c":"é"}');
  });

  it("sends basic auth and cookies", async () => {
    const outcome = await run({
      url: `${base}/echo`,
      username: "user",
      password: "pa:ss",
      cookies: { a: "1", b: "two" },
    });
    assert.equal(
      echoed(outcome).headers.authorization,
      `Basic ${Buffer.from("user:pa:ss").toString("base64")}`,
    );
    assert.equal(echoed(outcome).headers.cookie, "a=1; b=two");
  });

  it("treats 200–206 as success and anything else as failure", async () => {
    for (const [code, status] of [
      [201, "succeeded"],
      [206, "succeeded"],
      [207, "failed"],
      [404, "failed"],
      [500, "failed"],
    ] as const) {
      const outcome = await run({ url: `${base}/status?code=${code}` });
      assert.equal(outcome.status, status, `code ${code}`);
      assert.equal(res(outcome).status_code, code);
      assert.equal(res(outcome).body, "status body");
      assert.equal(res(outcome).parsed, false);
    }
  });

  it("keeps the text when a JSON response does not parse", async () => {
    const outcome = await run({ url: `${base}/bad-json` });
    assert.equal(res(outcome).body, "{not json");
    assert.equal(res(outcome).parsed, false);
  });

  it("does not follow redirects by default", async () => {
    const outcome = await run({ url: `${base}/redirect` });
    assert.equal(outcome.status, "failed");
    assert.equal(res(outcome).status_code, 302);
    assert.equal(res(outcome).headers.Location, "/echo?from=redirect");
  });

  it("follows redirects when allowed, switching POST to GET on 302 but not on 307", async () => {
    const moved = await run({ url: `${base}/redirect?code=302`, allow_redirects: true, body: "x" });
    assert.equal(moved.status, "succeeded");
    assert.equal(echoed(moved).url, "/echo?from=redirect");
    assert.equal(echoed(moved).method, "GET");
    assert.equal(echoed(moved).body, "");

    const kept = await run({ url: `${base}/redirect?code=307`, allow_redirects: true, body: "x" });
    assert.equal(echoed(kept).method, "POST");
    assert.equal(echoed(kept).body, "x");
  });

  it("gives up after 30 redirects", async () => {
    await assert.rejects(run({ url: `${base}/loop`, allow_redirects: true }), /30 redirects/);
  });

  it("times out when the server does not answer", async () => {
    const outcome = await run({ url: `${base}/hang`, timeout: 0.2 });
    assert.equal(outcome.status, "timeout");
    assert.match(String((outcome.result as { error: string }).error), /timed out/);
  });

  it("is canceled through the AbortSignal", async () => {
    const controller = new AbortController();
    const pending = run({ url: `${base}/hang`, timeout: 600 }, controller.signal);
    setImmediate(() => controller.abort());
    const outcome = await pending;
    assert.equal(outcome.status, "canceled");
  });

  it("enforces the host blacklist and whitelist", async () => {
    await assert.rejects(
      run({ url: `${base}/echo`, url_hosts_blacklist: ["127.0.0.1"] }),
      ValidationError,
    );
    await assert.rejects(
      run({ url: `${base}/echo`, url_hosts_whitelist: ["example.com"] }),
      ValidationError,
    );
    const allowed = await run({ url: `${base}/echo`, url_hosts_whitelist: ["127.0.0.1"] });
    assert.equal(allowed.status, "succeeded");
  });

  it("rejects a missing url and unsupported proxies with the field named", async () => {
    for (const parameters of [{}, { url: `${base}/echo`, http_proxy: "http://127.0.0.1:1" }]) {
      await assert.rejects(run(parameters), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.match(error.location?.field ?? "", /^parameters\./);
        return true;
      });
    }
  });
});
