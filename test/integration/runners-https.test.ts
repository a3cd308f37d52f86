import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createHttpRunner } from "../../src/engine/runners/http.ts";
import { makeRequest } from "../fixtures/runners/request.ts";

const runner = createHttpRunner();
let server: Server;
let base = "";

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "squall-tls-"));
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-days",
    "1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
  ]);
  assert.equal(
    made.status,
    0,
    `openssl is needed for this test (apt-get install openssl): ${made.stderr}`,
  );
  server = createServer(
    { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
    (_req, res) => {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end('{"secure": true}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("http-request over TLS", () => {
  it("refuses a self-signed certificate by default", async () => {
    await assert.rejects(
      runner.run(makeRequest({ runner: "http-request", parameters: { url: base } })),
      /self[- ]signed/i,
    );
  });

  it("accepts it with verify_ssl_cert: false", async () => {
    const outcome = await runner.run(
      makeRequest({ runner: "http-request", parameters: { url: base, verify_ssl_cert: false } }),
    );
    assert.equal(outcome.status, "succeeded");
    assert.deepEqual((outcome.result as { body: unknown }).body, { secure: true });
  });
});
