import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeMessage, LineSplitter } from "./protocol.ts";
import { parseChildMessage, parseParentMessage } from "./protocol-parse.ts";

describe("child → parent messages", () => {
  const good: Array<[string, string, unknown]> = [
    [
      "a dispatch by ref",
      '{"type":"dispatch","trigger":"p.t","payload":{"a":1},"trace_tag":"tag"}',
      { type: "dispatch", trigger: "p.t", payload: { a: 1 }, trace_tag: "tag" },
    ],
    [
      "a dispatch without payload",
      '{"type":"dispatch","trigger":"p.t"}',
      { type: "dispatch", trigger: "p.t", payload: null },
    ],
    [
      "a dispatch to a type with parameters and a trace context",
      '{"type":"dispatch","trigger":{"type":"p.w","parameters":{"x":1}},"payload":null,"trace_context":{"trace_tag":"t","id_":""}}',
      {
        type: "dispatch",
        trigger: { type: "p.w", parameters: { x: 1 } },
        payload: null,
        trace_context: { trace_tag: "t" },
      },
    ],
    [
      "a log record",
      '{"type":"log","level":"warning","logger":"L","message":"m"}',
      { type: "log", level: "warning", logger: "L", message: "m" },
    ],
    [
      "a log record with an unknown level (read as info)",
      '{"type":"log","level":"chatty","message":"m"}',
      { type: "log", level: "info", message: "m" },
    ],
    [
      "a result",
      '{"type":"result","status":"failed","result":{"r":1},"error":"e"}',
      { type: "result", status: "failed", result: { r: 1 }, error: "e" },
    ],
  ];
  for (const [name, line, expected] of good)
    it(`reads ${name}`, () => {
      assert.deepEqual(parseChildMessage(line), { ok: true, message: expected });
    });

  const bad: Array<[string, string, RegExp]> = [
    ["non-JSON", "hello", /not JSON/],
    ["a non-object", "[1]", /JSON object/],
    ["no type", '{"a":1}', /"type"/],
    ["an unknown type", '{"type":"explode"}', /unknown message type "explode"/],
    ["a dispatch without trigger", '{"type":"dispatch","payload":{}}', /"trigger"/],
    [
      "a list payload",
      '{"type":"dispatch","trigger":"p.t","payload":[1]}',
      /"payload" must be an object/,
    ],
    ["a numeric trace tag", '{"type":"dispatch","trigger":"p.t","trace_tag":5}', /"trace_tag"/],
    ["a bad result status", '{"type":"result","status":"meh"}', /"status"/],
  ];
  for (const [name, line, reason] of bad)
    it(`refuses ${name}`, () => {
      const parsed = parseChildMessage(line);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.reason, reason);
    });
});

describe("parent → child messages", () => {
  it("reads trigger changes and stop, and refuses a trigger without parameters", () => {
    const trigger = {
      id: "1",
      ref: "p.1",
      uid: "u",
      name: "1",
      pack: "p",
      type: "p.w",
      parameters: {},
    };
    assert.deepEqual(parseParentMessage(encodeMessage({ type: "add_trigger", trigger })), {
      ok: true,
      message: { type: "add_trigger", trigger },
    });
    assert.deepEqual(parseParentMessage('{"type":"stop"}'), {
      ok: true,
      message: { type: "stop" },
    });
    assert.equal(
      parseParentMessage('{"type":"remove_trigger","trigger":{"id":"1","ref":"r","type":"t"}}').ok,
      false,
    );
    assert.equal(
      parseParentMessage('{"type":"init","kind":"sensor","pack":"p","file_path":"/f"}').ok,
      false,
    );
  });
});

describe("line splitting", () => {
  it("joins chunks into lines, skips blank ones and flushes the last at the end", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('{"a"');
    s.push(":1}\n\n{");
    s.push('"b":2}\n{"c"');
    s.end();
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c"']);
  });
  it("cuts a line longer than its limit instead of buffering it", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    s.push("x".repeat(25));
    assert.deepEqual(lines, ["x".repeat(25)]);
  });
});
