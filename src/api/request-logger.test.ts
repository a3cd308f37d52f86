import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import Fastify from "fastify";
import pino from "pino";
import { LazyChildLogger, lazyChildLogger } from "./request-logger.ts";

/** A pino logger writing its lines into `lines`, synchronously. */
function capture(level = "info"): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { log: pino({ level, base: undefined, redact: ["secret"] }, sink), lines };
}

describe("LazyChildLogger", () => {
  it("creates the child only when something is logged, with the same bindings", () => {
    const { log, lines } = capture();
    const lazy = new LazyChildLogger(log, { reqId: "req-1" }, {});
    assert.equal(lazy.created, false);
    lazy.debug("below the level");
    assert.equal(lines.length, 0);
    lazy.info({ secret: "s3cret", n: 1 }, "hello %s", "you");
    assert.equal(lazy.created, true);
    assert.deepEqual(
      lines.map(({ time: _t, ...rest }) => rest),
      [{ level: 30, reqId: "req-1", secret: "[Redacted]", n: 1, msg: "hello you" }],
    );
  });

  const levels = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
  for (const method of levels)
    it(`forwards ${method} at its level`, () => {
      const { log, lines } = capture("trace");
      lazyChildLogger(log, { reqId: "r" }, {})[method]("m");
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.level, pino.levels.values[method]);
      assert.equal(lines[0]?.reqId, "r");
    });

  it("passes the child options (level) and reads and sets the level on the real child", () => {
    const { log, lines } = capture("info");
    const lazy = new LazyChildLogger(log, { reqId: "r" }, { level: "warn" });
    lazy.info("dropped");
    assert.equal(lazy.level, "warn");
    lazy.level = "debug";
    lazy.debug("kept");
    assert.deepEqual(
      lines.map((l) => l.msg),
      ["kept"],
    );
    assert.equal(log.level, "info");
  });

  it("makes grandchildren carrying both bindings", () => {
    const { log, lines } = capture();
    new LazyChildLogger(log, { reqId: "r" }, {}).child({ sub: 1 }).info("x");
    assert.equal(lines[0]?.reqId, "r");
    assert.equal(lines[0]?.sub, 1);
  });

  it("is what fastify hands each request, and request logs keep the request id", async () => {
    const { log, lines } = capture();
    const app = Fastify({ loggerInstance: log, childLoggerFactory: lazyChildLogger });
    app.get("/quiet", async (request) => ({ lazy: request.log instanceof LazyChildLogger }));
    app.get("/loud", async (request) => {
      request.log.warn("something happened");
      return {};
    });
    const quiet = await app.inject({ url: "/quiet" });
    assert.deepEqual(quiet.json(), { lazy: true });
    const before = lines.length;
    await app.inject({ url: "/loud" });
    const warned = lines.slice(before).find((l) => l.msg === "something happened");
    assert.equal(typeof warned?.reqId, "string");
  });
});
