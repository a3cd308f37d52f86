import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors.ts";
import { action, echo, runner } from "./fixtures.test-helpers.ts";
import { validateRequest } from "./validate.ts";

type Row = {
  name: string;
  params?: Record<string, unknown>;
  requested: Record<string, unknown>;
  field?: string;
  message?: RegExp;
};

const extra = {
  mode: { type: "string", enum: ["fast", "slow"], default: "fast" },
  untyped: { description: "no type" },
  anything: {},
  opts: {
    type: "object",
    properties: { a: { type: "string", required: true }, b: { type: "integer", default: 1 } },
  },
};
const rows: Row[] = [
  { name: "accepts a minimal request", requested: { message: "hi" } },
  {
    name: "requires message",
    requested: {},
    field: "parameters.message",
    message: /^'message' is a required property$/,
  },
  {
    name: "refuses None for a required string",
    requested: { message: null },
    field: "parameters.message",
    message: /None is not of type 'string'/,
  },
  {
    name: "refuses unknown parameters",
    requested: { message: "x", bogus: 1 },
    field: "parameters.bogus",
    message: /Additional properties are not allowed \('bogus' was unexpected\)/,
  },
  {
    name: "checks enum",
    requested: { message: "x", mode: "medium" },
    field: "parameters.mode",
    message: /'medium' is not one of \['fast', 'slow'\]/,
  },
  {
    name: "checks type",
    requested: { message: "x", timeout: "abc" },
    field: "parameters.timeout",
    message: /'abc' is not of type 'integer'/,
  },
  {
    name: "lets an optional parameter without default be null",
    requested: { message: "x", cwd: null },
  },
  {
    name: "lets a defaulted parameter be null (the default fills it)",
    requested: { message: "x", timeout: null },
  },
  {
    name: "treats a typeless optional parameter as string (StackStorm quirk)",
    requested: { message: "x", untyped: 5 },
    field: "parameters.untyped",
    message: /5 is not of type 'string', 'null'/,
  },
  {
    name: "accepts any non-null type for an empty spec",
    requested: { message: "x", anything: [1] },
  },
  {
    name: "checks nested Draft-3 required",
    requested: { message: "x", opts: { b: 2 } },
    field: "parameters.opts",
    message: /'a' is a required property \(at opts\.a\)/,
  },
  {
    name: "checks nested types",
    requested: { message: "x", opts: { a: "y", b: "z" } },
    field: "parameters.opts",
    message: /'z' is not of type 'integer'/,
  },
  {
    name: "refuses an immutable action parameter even with the same value",
    requested: { message: "x", cmd: 'echo "{{message}}"' },
    field: "parameters.cmd",
    message: /^Override of immutable parameter\(s\) \['cmd'\] is unsupported\.$/,
  },
  {
    name: "refuses an immutable runner parameter",
    requested: { message: "x", parallel: false },
    field: "parameters.parallel",
    message: /immutable/,
  },
  {
    name: "defers type checks of templated values to rendering",
    requested: { message: "x", timeout: "{{ st2kv.system.t }}", mode: "{{ m }}" },
  },
  {
    name: "still requires parameters when others are templated",
    requested: { timeout: "{{ x }}" },
    field: "parameters.message",
  },
];

describe("validateRequest", () => {
  const run = runner({ parallel: { type: "boolean", default: false, immutable: true } });
  const act = action({ ...echo.parameters, ...extra });
  for (const row of rows) {
    it(row.name, () => {
      const call = () => validateRequest({ runner: run, action: act, requested: row.requested });
      if (!row.field) {
        call();
        return;
      }
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.equal(e.location?.field, row.field);
        if (row.message) assert.match(e.message, row.message);
        return true;
      });
    });
  }
  it("returns the request as given, the defaulted values and the secret names", () => {
    const out = validateRequest({
      runner: runner(),
      action: echo,
      requested: { message: "hi", timeout: null },
    });
    assert.deepEqual(out.parameters, { message: "hi", timeout: null });
    assert.deepEqual(out.values, {
      message: "hi",
      timeout: 60,
      cmd: 'echo "{{message}}"',
      kwarg_op: "--",
      sudo: false,
    });
    assert.deepEqual([...out.secretNames], ["sudo_password"]);
  });
  it("accepts anything when neither action nor runner declares parameters", () => {
    const bare = { ...runner(), runner_parameters: {} };
    validateRequest({ runner: bare, action: action({}), requested: { whatever: [1] } });
  });
});
