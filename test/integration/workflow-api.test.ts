import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "../../src/api/errors.ts";
import { workflowRoutes } from "../../src/api/routes/workflows.ts";
import { FIXTURES } from "../support/fixtures.ts";

const BROKEN = readFileSync(join(FIXTURES, "rehearsal", "workflows", "broken.yaml"), "utf8");
const GREET = readFileSync(join(FIXTURES, "rehearsal", "workflows", "greet.yaml"), "utf8");

/** The errors broken.yaml has, as StackStorm's inspection API lists them. */
const BROKEN_ERRORS = [
  {
    type: "context",
    message: 'Variable "missing" is referenced before assignment.',
    task_name: "first",
    spec_path: "tasks.first.input",
    schema_path: "properties.tasks.patternProperties.^\\w+$.properties.input",
    language: "yaql",
    expression: "<% ctx().missing %>",
  },
  {
    type: "semantic",
    message: 'The task "nowhere" is not defined.',
    task_name: "first",
    spec_path: "tasks.first.next[0].do",
    schema_path: "properties.tasks.patternProperties.^\\w+$.properties.next.items.properties.do",
  },
];

describe("POST /api/v1/workflows/inspect", () => {
  let app: FastifyInstance;

  before(async () => {
    app = Fastify();
    app.setErrorHandler(errorHandler);
    await app.register(async (scope) => workflowRoutes(scope), { prefix: "/api/v1" });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  const post = (payload: string | object, contentType: string) =>
    app.inject({
      method: "POST",
      url: "/api/v1/workflows/inspect",
      headers: { "content-type": contentType },
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    });

  const bodies: [string, string | object, string][] = [
    ["YAML text", BROKEN, "text/plain"],
    ["YAML with a YAML content type", BROKEN, "application/x-yaml"],
    ["a JSON string", JSON.stringify(BROKEN), "application/json"],
    [
      "a JSON object",
      {
        version: "1.0",
        tasks: {
          first: { action: "core.echo message=<% ctx().missing %>", next: [{ do: "nowhere" }] },
        },
      },
      "application/json",
    ],
  ];
  for (const [name, body, type] of bodies) {
    it(`lists the errors of ${name}, with task and path`, async () => {
      const res = await post(body, type);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      assert.deepEqual(res.json(), BROKEN_ERRORS);
    });
  }

  it("answers an empty list for a sound workflow, reading ctx().st2 as StackStorm's", async () => {
    const res = await post(
      `${GREET}\n  audit:\n    action: core.echo message=<% ctx().st2.user %>\n`,
      "text/plain",
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), []);
  });

  it("reports syntax errors with their path", async () => {
    const res = await post({ version: "1.0", tasks: { t1: { action: 42 } } }, "application/json");
    assert.equal(res.statusCode, 200);
    const errors = res.json() as { type: string; task_name: string | null; spec_path: string }[];
    assert.ok(errors.length > 0);
    assert.ok(errors.every((e) => e.type === "syntax"));
    assert.ok(errors.some((e) => e.task_name === "t1" && e.spec_path === "tasks.t1.action"));
  });

  const rejected: [string, string, string][] = [
    ["a list", "[1, 2]", "application/json"],
    ["YAML that is not a mapping", "just words", "text/plain"],
    ["invalid YAML", "tasks: [unclosed", "text/plain"],
  ];
  for (const [name, body, type] of rejected) {
    it(`rejects ${name} with 400`, async () => {
      const res = await post(body, type);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.body, /workflow definition/);
    });
  }
});
