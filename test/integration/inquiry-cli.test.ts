/**
 * `squall inquiry …` in-process against the real inquiry routes on 127.0.0.1, so the CLI's
 * requests, the API's answers and the store meet over a real socket.
 */

import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Command, CommanderError } from "commander";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "../../src/api/errors.ts";
import { inquiryRoutes } from "../../src/api/routes/inquiries.ts";
import { registerInquiryCommands } from "../../src/cli/commands/inquiry.ts";
import type { Prompter } from "../../src/cli/commands/inquiry-form.ts";
import type { CliRuntime } from "../../src/cli/runtime.ts";
import { InquiryService } from "../../src/engine/inquiries/service.ts";
import { type InquiryHarness, openInquiryHarness } from "../support/inquiry-harness.ts";

let h: InquiryHarness;
let app: FastifyInstance;
let url: string;

before(async () => {
  h = openInquiryHarness();
  app = Fastify();
  app.setErrorHandler(errorHandler);
  const inquiries = new InquiryService({ executions: h.executions });
  await app.register(async (s) => inquiryRoutes(s, { inquiries, currentUser: () => "stanley" }), {
    prefix: "/api/v1",
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  await h.close();
});

function prompterAnswering(answers: string[] | null): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive: answers !== null,
    asked,
    async ask(question) {
      asked.push(question);
      const next = answers?.shift();
      if (next === undefined) throw new Error(`unexpected question ${question}`);
      return next;
    },
    say: () => undefined,
    close: () => undefined,
  };
}

async function squall(args: string[], prompter = prompterAnswering(null)) {
  let out = "";
  let err = "";
  const toOut = (t: string) => {
    out += t;
  };
  const toErr = (t: string) => {
    err += t;
  };
  const runtime: CliRuntime = {
    io: {
      out: toOut,
      err: toErr,
      env: { SQUALL_API_URL: url },
      cwd: "/",
    },
    exitCode: 0,
  };
  const program = new Command("squall")
    .option("--url <url>")
    .option("--json")
    .option("--yaml")
    .exitOverride()
    .configureOutput({ writeOut: toOut, writeErr: toErr });
  registerInquiryCommands(program, runtime, () => prompter);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode, out, err };
    throw e;
  }
  return { code: runtime.exitCode, out, err };
}

describe("squall inquiry list/get", () => {
  it("lists pending inquiries as a table (newest last) and as JSON", async () => {
    const empty = await squall(["inquiry", "list"]);
    assert.equal(empty.code, 0);
    assert.match(empty.err, /No inquiries are waiting/);
    const a = await h.inquiry({ route: "ops-chat", users: ["al"] });
    const b = await h.inquiry({ ttl: 5 });
    const table = await squall(["inquiry", "list"]);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /\| id +\| roles +\| users +\| route +\| ttl +\|/);
    assert.ok(table.out.indexOf(a.id) < table.out.indexOf(b.id), "newest last");
    assert.match(table.out, /ops-chat/);
    const json = await squall(["inquiry", "list", "--json", "-n", "1"]);
    assert.deepEqual(
      JSON.parse(json.out).map((i: { id: string }) => i.id),
      [b.id],
    );
    const bad = await squall(["inquiry", "list", "-n", "0"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--last must be a positive whole number/);
  });

  it("shows one inquiry with its schema, and explains an unknown id", async () => {
    const e = await h.inquiry({ route: "r" });
    const shown = await squall(["inquiry", "get", e.id]);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, new RegExp(`^id: ${e.id}$`, "m"));
    assert.match(shown.out, /^schema:\n {2}title: response_data/m);
    const yaml = await squall(["inquiry", "get", e.id, "--yaml"]);
    assert.match(yaml.out, /^ttl: 1440$/m);
    const missing = await squall(["inquiry", "get", "5f0000000000000000000000"]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Inquiry "5f0000000000000000000000" not found.*squall inquiry list/);
  });
});

describe("squall inquiry respond", () => {
  it("sends -r as the response and completes the inquiry", async () => {
    const e = await h.inquiry();
    const res = await squall(["inquiry", "respond", e.id, "-r", '{"continue": true}']);
    assert.equal(res.code, 0, res.err);
    assert.equal(res.out.trim(), `Response accepted for inquiry ${e.id}.`);
    const done = await h.executions.get(e.id);
    assert.equal(done.status, "succeeded");
    assert.deepEqual((done.result as { response: unknown }).response, { continue: true });
    const again = await squall(["inquiry", "respond", e.id, "-r", '{"continue": true}', "--json"]);
    assert.equal(again.code, 1);
    assert.match(again.err, /already been responded to.*HTTP 400/);
  });

  it("prints the server's answer with --json", async () => {
    const e = await h.inquiry();
    const res = await squall(["inquiry", "respond", e.id, "-r", '{"continue": false}', "--json"]);
    assert.deepEqual(JSON.parse(res.out), { id: e.id, response: { continue: false } });
  });

  const refused: Array<[string, string, RegExp]> = [
    ["JSON that does not parse", "{continue}", /--response is not valid JSON/],
    ["JSON that is not an object", "[true]", /--response must be a JSON object/],
    ["a response the schema refuses", '{"continue": "x"}', /response\.continue.*HTTP 400/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}; the inquiry stays pending`, async () => {
      const e = await h.inquiry();
      const res = await squall(["inquiry", "respond", e.id, "-r", text]);
      assert.equal(res.code, 1);
      assert.match(res.err, message);
      assert.equal((await h.executions.get(e.id)).status, "pending");
    });
  }

  it("asks for each schema field on a terminal", async () => {
    const schema = {
      type: "object",
      properties: {
        approve: { type: "boolean", required: true },
        count: { type: "integer", default: 1 },
      },
    };
    const e = await h.inquiry({ schema });
    const prompter = prompterAnswering(["yes", "3"]);
    const res = await squall(["inquiry", "respond", e.id], prompter);
    assert.equal(res.code, 0, res.err);
    assert.deepEqual(prompter.asked, ["approve (boolean): ", "count (integer) [1]: "]);
    const done = await h.executions.get(e.id);
    assert.deepEqual((done.result as { response: unknown }).response, { approve: true, count: 3 });
  });

  it("refuses to ask when stdin is not a terminal, pointing at -r", async () => {
    const e = await h.inquiry();
    const res = await squall(["inquiry", "respond", e.id]);
    assert.equal(res.code, 1);
    assert.match(res.err, /stdin is not a terminal.*-r '<json>'/);
    assert.equal((await h.executions.get(e.id)).status, "pending");
  });

  it("explains an unknown inquiry", async () => {
    const res = await squall(["inquiry", "respond", "5f0000000000000000000000", "-r", "{}"]);
    assert.equal(res.code, 1);
    assert.match(res.err, /Inquiry "5f0000000000000000000000" not found/);
  });
});
