/**
 * linux.dig through the python-script runner, against a small DNS server on 127.0.0.1 that this
 * test runs (UDP and TCP on one port), so nothing leaves the machine.
 */

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ActionDef, RunnerType } from "../../src/core/content/model.ts";
import { assignDefaults } from "../../src/core/content/param-schema.ts";
import { BUILTIN_RUNNER_TYPES } from "../../src/core/content/runner-types.ts";
import { loadPack } from "../../src/engine/content/loader.ts";
import { createPythonScriptRunner } from "../../src/engine/runners/python-script.ts";
import { RecordingSink } from "../fixtures/runners/request.ts";
import { requirePython } from "../support/python.ts";

const LINUX = new URL("../../packs/linux", import.meta.url).pathname;
const RUNNER = BUILTIN_RUNNER_TYPES.find((r) => r.name === "python-script") as RunnerType;

type Record_ = { type: number; data: Buffer };
/** The zone: name → records. */
const ZONE: Record<string, Record_[]> = {
  "web.test.": [
    { type: 1, data: Buffer.from([10, 0, 0, 1]) },
    { type: 1, data: Buffer.from([10, 0, 0, 2]) },
    { type: 1, data: Buffer.from([10, 0, 0, 3]) },
  ],
  "v6.test.": [{ type: 28, data: Buffer.from("20010db8000000000000000000000001", "hex") }],
  "mail.test.": [{ type: 15, data: Buffer.concat([Buffer.from([0, 10]), name("mx1.test.")]) }],
  "txt.test.": [{ type: 16, data: Buffer.from("\x0bhello world\x05again", "latin1") }],
  "alias.test.": [{ type: 5, data: name("web.test.") }],
};
/** Names whose UDP answer is truncated, so the client must retry over TCP. */
const TRUNCATED = new Set(["web.test."]);

function name(text: string): Buffer {
  const parts = text.split(".").filter((p) => p !== "");
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])),
    Buffer.from([0]),
  ]);
}

function readQuestion(query: Buffer): { qname: string; qtype: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  for (let n = 0; n < 64 && (query[offset] ?? 0) !== 0; n++) {
    const length = query[offset] ?? 0;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
    offset += 1 + length;
  }
  return { qname: `${labels.join(".")}.`, qtype: query.readUInt16BE(offset + 1), end: offset + 5 };
}

function answer(query: Buffer, viaTcp: boolean): Buffer {
  const { qname, qtype, end } = readQuestion(query);
  const records = (ZONE[qname.toLowerCase()] ?? []).filter((r) => r.type === qtype);
  const truncate = !viaTcp && TRUNCATED.has(qname);
  const kept = truncate ? records.slice(0, 1) : records;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (truncate ? 0x0200 : 0) | (records.length ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(kept.length, 6);
  const answers = kept.map((r) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    fixed.writeUInt16BE(r.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(300, 6);
    fixed.writeUInt16BE(r.data.length, 10);
    return Buffer.concat([fixed, r.data]);
  });
  return Buffer.concat([header, query.subarray(12, end), ...answers]);
}

describe("linux.dig", () => {
  let udp: Socket;
  let tcp: Server;
  let port = 0;
  let action: ActionDef;
  let runner: ReturnType<typeof createPythonScriptRunner>;
  let tcpQueries = 0;

  before(async () => {
    const python = requirePython();
    const { content, errors } = await loadPack(LINUX, {});
    assert.deepEqual(errors, []);
    const found = content?.actions.find((a) => a.name === "dig");
    assert.ok(found, "the linux pack has a dig action");
    action = found;
    runner = createPythonScriptRunner({ python, killGraceMs: 500 });
    tcp = createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
        tcpQueries++;
        const reply = answer(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), true);
        const size = Buffer.alloc(2);
        size.writeUInt16BE(reply.length);
        socket.end(Buffer.concat([size, reply]));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    port = (tcp.address() as { port: number }).port;
    udp = createSocket("udp4");
    udp.on("message", (msg, rinfo) => udp.send(answer(msg, false), rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => udp.bind(port, "127.0.0.1", resolve));
  });

  after(() => {
    udp?.close();
    tcp?.close();
  });

  async function dig(parameters: Record<string, unknown>) {
    const values = assignDefaults(
      { nameserver: "127.0.0.1", port, ...parameters },
      { type: "object", properties: action.parameters },
    );
    const outcome = await runner.run({
      executionId: "0123456789abcdef01234567",
      action,
      runner: RUNNER,
      parameters: values,
      secretNames: new Set(),
      packPath: LINUX,
      entryPointPath: join(LINUX, "actions", action.entry_point),
      apiUrl: "http://127.0.0.1:1/api/v1",
      authToken: "",
      user: "stanley",
      output: new RecordingSink(),
      signal: new AbortController().signal,
    });
    return outcome as { status: string; result: { result: unknown; stderr: string } };
  }

  const table: Array<{ what: string; params: Record<string, unknown>; expect: unknown }> = [
    { what: "AAAA", params: { hostname: "v6.test", querytype: "AAAA" }, expect: ["2001:db8::1"] },
    { what: "MX", params: { hostname: "mail.test", querytype: "MX" }, expect: ["10 mx1.test."] },
    {
      what: "TXT, quotes removed",
      params: { hostname: "txt.test", querytype: "TXT" },
      expect: ["hello world again"],
    },
    {
      what: "CNAME",
      params: { hostname: "alias.test", querytype: "cname" },
      expect: ["web.test."],
    },
    { what: "no such name", params: { hostname: "nothing.test" }, expect: [] },
    {
      what: "full answer lines",
      params: { hostname: "v6.test", querytype: "AAAA", queryopts: "noshort" },
      expect: ["v6.test.\t300\tIN\tAAAA\t2001:db8::1"],
    },
  ];
  for (const row of table)
    it(`answers ${row.what}`, async () => {
      const outcome = await dig(row.params);
      assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.result));
      assert.deepEqual(outcome.result.result, row.expect);
    });

  it("retries a truncated answer over TCP, and honours count", async () => {
    const before = tcpQueries;
    const all = await dig({ hostname: "web.test" });
    assert.deepEqual(all.result.result, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    assert.equal(tcpQueries, before + 1);
    const two = await dig({ hostname: "web.test", count: 2, queryopts: "short,tcp" });
    assert.deepEqual(two.result.result, ["10.0.0.1", "10.0.0.2"]);
    const shuffled = await dig({ hostname: "web.test", rand: true });
    assert.deepEqual([...(shuffled.result.result as string[])].sort(), [
      "10.0.0.1",
      "10.0.0.2",
      "10.0.0.3",
    ]);
  });

  it("fails clearly on an unknown option, type or an unreachable nameserver", async () => {
    const option = await dig({ hostname: "web.test", queryopts: "short,trace" });
    assert.equal(option.status, "failed");
    assert.match(String(option.result.result), /unsupported queryopts: trace/);
    const type = await dig({ hostname: "web.test", querytype: "NOPE" });
    assert.equal(type.status, "failed");
    assert.match(String(type.result.result), /unsupported query type 'NOPE'/);
    // A TCP port nobody listens on (the server's own port + nothing): connection refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await dig({ hostname: "web.test", queryopts: "tcp", port: deadPort });
    assert.equal(refused.status, "failed");
    assert.match(String(refused.result.result), /DNS query to 127\.0\.0\.1 failed/);
  });
});
