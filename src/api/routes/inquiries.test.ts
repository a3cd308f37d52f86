import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { type InquiryHarness, openInquiryHarness } from "../../../test/support/inquiry-harness.ts";
import { defaultInquirySchema } from "../../engine/inquiries/model.ts";
import { InquiryService } from "../../engine/inquiries/service.ts";
import { errorHandler } from "../errors.ts";
import { inquiryRoutes } from "./inquiries.ts";

let h: InquiryHarness;
let app: FastifyInstance;

beforeEach(async () => {
  h = openInquiryHarness();
  const inquiries = new InquiryService({
    executions: h.executions,
    rolesOf: async (user) => (user === "al" ? ["ops"] : []),
  });
  app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(
    async (scope) =>
      inquiryRoutes(scope, {
        inquiries,
        currentUser: (request) => String(request.headers["x-test-user"] ?? "stanley"),
      }),
    { prefix: "/api/v1" },
  );
  await app.ready();
});
afterEach(async () => {
  await app.close();
  await h.close();
});

describe("GET /inquiries", () => {
  it("lists pending inquiries with X-Total-Count, paged by limit/offset", async () => {
    const a = await h.inquiry({ route: "a" });
    const b = await h.inquiry({ route: "b" });
    await h.otherExecution("running");
    const all = await app.inject({ method: "GET", url: "/api/v1/inquiries" });
    assert.equal(all.statusCode, 200);
    assert.equal(all.headers["x-total-count"], "2");
    assert.deepEqual(
      all.json().map((i: { id: string }) => i.id),
      [b.id, a.id],
    );
    const page = await app.inject({ method: "GET", url: "/api/v1/inquiries?limit=1&offset=1" });
    assert.equal(page.headers["x-total-count"], "2");
    assert.equal(page.headers["x-limit"], "1");
    assert.deepEqual(page.json(), [
      { id: a.id, route: "a", ttl: 1440, users: [], roles: [], schema: defaultInquirySchema() },
    ]);
    const bad = await app.inject({ method: "GET", url: "/api/v1/inquiries?limit=x" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().faultstring, /limit/);
  });
});

describe("GET /inquiries/{id}", () => {
  it("answers 200 for a pending inquiry, 404 for an unknown id, 400 for other executions", async () => {
    const e = await h.inquiry({ users: ["al"] });
    const ok = await app.inject({ method: "GET", url: `/api/v1/inquiries/${e.id}` });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), {
      id: e.id,
      route: "",
      ttl: 1440,
      users: ["al"],
      roles: [],
      schema: defaultInquirySchema(),
    });
    const missing = await app.inject({
      method: "GET",
      url: "/api/v1/inquiries/5f0000000000000000000000",
    });
    assert.equal(missing.statusCode, 404);
    const other = await h.otherExecution("succeeded");
    const notInquiry = await app.inject({ method: "GET", url: `/api/v1/inquiries/${other.id}` });
    assert.equal(notInquiry.statusCode, 400);
    assert.match(notInquiry.json().faultstring, /is not an inquiry/);
  });
});

describe("PUT /inquiries/{id}", () => {
  const put = (id: string, body: unknown, user = "stanley") =>
    app.inject({
      method: "PUT",
      url: `/api/v1/inquiries/${id}`,
      payload: body as object,
      headers: { "x-test-user": user },
    });

  it("accepts a valid response: 200 {id, response}, the execution succeeded", async () => {
    const e = await h.inquiry();
    const res = await put(e.id, { id: e.id, response: { continue: true } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { id: e.id, response: { continue: true } });
    const done = await h.executions.get(e.id);
    assert.equal(done.status, "succeeded");
    assert.deepEqual((done.result as { response: unknown }).response, { continue: true });
    const again = await put(e.id, { id: e.id, response: { continue: false } });
    assert.equal(again.statusCode, 400);
    assert.match(again.json().faultstring, /already been responded to/);
    const gone = await app.inject({ method: "GET", url: `/api/v1/inquiries/${e.id}` });
    assert.equal(gone.statusCode, 400);
  });

  const bad: Array<[string, (id: string) => unknown, number, RegExp]> = [
    [
      "a response failing the schema",
      (id) => ({ id, response: { continue: "x" } }),
      400,
      /response\.continue/,
    ],
    [
      "a response missing the required field",
      (id) => ({ id, response: {} }),
      400,
      /response\.continue is required/,
    ],
    ["a body without response", (id) => ({ id }), 400, /response/],
    [
      "a body whose id is another inquiry",
      () => ({ id: "5f0000000000000000000000", response: { continue: true } }),
      400,
      /not the inquiry in the URL/,
    ],
    ["a body that is a list", () => [1], 400, /JSON object/],
  ];
  for (const [what, body, status, message] of bad) {
    it(`refuses ${what} with ${status} and leaves the inquiry pending`, async () => {
      const e = await h.inquiry();
      const res = await put(e.id, body(e.id));
      assert.equal(res.statusCode, status);
      assert.match(res.json().faultstring, message);
      assert.equal((await h.executions.get(e.id)).status, "pending");
    });
  }

  it("answers 403 to a user the inquiry does not admit, naming who may respond", async () => {
    const byUser = await h.inquiry({ users: ["al"] });
    const denied = await put(byUser.id, { response: { continue: true } }, "bo");
    assert.equal(denied.statusCode, 403);
    assert.match(denied.json().faultstring, /"bo".*only "al" may respond/);
    const byRole = await h.inquiry({ roles: ["ops"] });
    assert.equal((await put(byRole.id, { response: { continue: true } }, "bo")).statusCode, 403);
    assert.equal((await put(byRole.id, { response: { continue: true } }, "al")).statusCode, 200);
  });

  it("answers 404 for an unknown inquiry", async () => {
    const res = await put("5f0000000000000000000000", { response: { continue: true } });
    assert.equal(res.statusCode, 404);
  });
});
