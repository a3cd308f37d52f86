import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../../core/errors.ts";
import { parseHosts, splitHostPort } from "./hosts.ts";

describe("splitHostPort (StackStorm's split_host_port)", () => {
  const table: Array<[string, string, number | null]> = [
    ["example.com", "example.com", null],
    ["example.com:5555", "example.com", 5555],
    ["10.0.0.1", "10.0.0.1", null],
    ["10.0.0.1:2222", "10.0.0.1", 2222],
    ["::1", "::1", null],
    ["fe80::1:2222", "fe80::1:2222", null],
    ["2001:db8::8a2e:370:7334", "2001:db8::8a2e:370:7334", null],
    ["[::1]", "::1", null],
    ["[::1]:2222", "::1", 2222],
    ["[2001:db8::1]:22", "2001:db8::1", 22],
    ["  spaced.host:22 ", "spaced.host", 22],
  ];
  for (const [input, hostname, port] of table) {
    it(`${JSON.stringify(input)} → ${hostname} ${port}`, () => {
      assert.deepEqual(splitHostPort(input), { hostname, port });
    });
  }
  for (const bad of ["host:", "host:abc", "host:0", "host:70000", "[::1]x", ""]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => splitHostPort(bad), ValidationError);
    });
  }
});

describe("parseHosts", () => {
  it("splits on commas, skips empty entries and applies the default port", () => {
    assert.deepEqual(parseHosts("a, b:2222,,c", 2200), [
      { hostname: "a", port: 2200, key: "a" },
      { hostname: "b", port: 2222, key: "b" },
      { hostname: "c", port: 2200, key: "c" },
    ]);
  });
  it("uses port 22 without a default", () => {
    assert.deepEqual(parseHosts("a", null), [{ hostname: "a", port: 22, key: "a" }]);
  });
  it("keys colliding host names by host:port and runs exact duplicates once", () => {
    assert.deepEqual(
      parseHosts("h:1,h:2,h:1,other,[::1]:5,[::1]:6", null).map((t) => t.key),
      ["h:1", "h:2", "other", "[::1]:5", "[::1]:6"],
    );
  });
  it("rejects a list with no hosts and a non-string", () => {
    assert.throws(() => parseHosts(" , ", null), ValidationError);
    assert.throws(() => parseHosts(["a"], null), ValidationError);
  });
});
