import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type InquiryHarness, openInquiryHarness } from "../../../test/support/inquiry-harness.ts";
import { NotFoundError } from "../../core/errors.ts";
import { WORK } from "../services/work-kinds.ts";
import {
  InquiryAlreadyRespondedError,
  InquiryForbiddenError,
  InquiryTimedOutError,
  InvalidInquiryResponseError,
  NotAnInquiryError,
} from "./errors.ts";
import { defaultInquirySchema } from "./model.ts";
import { InquiryService } from "./service.ts";

let h: InquiryHarness;
beforeEach(() => {
  h = openInquiryHarness();
});
afterEach(async () => {
  await h.close();
});

const service = (rolesOf?: (user: string) => Promise<string[]>) =>
  new InquiryService({ executions: h.executions, ...(rolesOf ? { rolesOf } : {}) });

describe("InquiryService.list/get", () => {
  it("lists only pending inquirer executions, newest first, with the total", async () => {
    const first = await h.inquiry({ route: "ops" });
    const second = await h.inquiry({ ttl: 5 });
    await h.otherExecution("running");
    const answered = await h.inquiry();
    await service().respond(answered.id, { continue: true }, "stanley");

    const page = await service().list({ limit: 10, offset: 0 });
    assert.equal(page.total, 2);
    assert.deepEqual(
      page.items.map((i) => i.id),
      [second.id, first.id],
    );
    assert.deepEqual(page.items[1], {
      id: first.id,
      route: "ops",
      ttl: 1440,
      users: [],
      roles: [],
      schema: defaultInquirySchema(),
    });
    const paged = await service().list({ limit: 1, offset: 1 });
    assert.deepEqual(
      paged.items.map((i) => i.id),
      [first.id],
    );
    assert.equal(paged.total, 2);
  });

  it("gets one pending inquiry in StackStorm's shape", async () => {
    const schema = { type: "object", properties: { reason: { type: "string" } } };
    const e = await h.inquiry({ schema, users: ["al"], roles: ["ops"], route: "r", ttl: 3 });
    assert.deepEqual(await service().get(e.id), {
      id: e.id,
      route: "r",
      ttl: 3,
      users: ["al"],
      roles: ["ops"],
      schema,
    });
  });

  it("refuses ids that are unknown (404), not inquiries, answered or timed out (400)", async () => {
    await assert.rejects(service().get("5f0000000000000000000000"), NotFoundError);
    const other = await h.otherExecution("succeeded");
    await assert.rejects(service().get(other.id), NotAnInquiryError);
    const answered = await h.inquiry();
    await service().respond(answered.id, { continue: false }, "stanley");
    await assert.rejects(service().get(answered.id), InquiryAlreadyRespondedError);
    const expired = await h.inquiry();
    await h.executions.transition(expired.id, "timeout", { expectFrom: ["pending"] });
    await assert.rejects(service().get(expired.id), InquiryTimedOutError);
  });
});

describe("InquiryService.respond", () => {
  it("completes the execution with the question and the response, like a normal completion", async () => {
    const e = await h.inquiry({ route: "chat" });
    const answer = await service().respond(e.id, { continue: true }, "stanley");
    assert.deepEqual(answer, { id: e.id, response: { continue: true } });
    const done = await h.executions.get(e.id);
    assert.equal(done.status, "succeeded");
    assert.ok(done.end_timestamp);
    assert.deepEqual(done.result, {
      schema: defaultInquirySchema(),
      roles: [],
      users: [],
      route: "chat",
      ttl: 1440,
      response: { continue: true },
    });
    // The completion queued the notifier's job, as every completion does.
    const jobs = await h.store.queue.claim(WORK.notify, 10, "t", 1000);
    assert.deepEqual(
      jobs.map((j) => j.payload.id),
      [e.id],
    );
  });

  const schema = {
    type: "object",
    properties: {
      approve: { type: "boolean", required: true },
      count: { type: "integer", minimum: 1 },
      color: { type: "string", enum: ["red", "blue"] },
      note: { type: "string", default: "none", required: true },
    },
    additionalProperties: false,
  };
  const invalid: Array<[string, unknown, string]> = [
    ["a missing required field", { count: 2 }, "response.approve"],
    ["a wrong type", { approve: "yes" }, "response.approve"],
    ["a number under the minimum", { approve: true, count: 0 }, "response.count"],
    ["a value outside the enum", { approve: true, color: "green" }, "response.color"],
    ["a field the schema does not allow", { approve: true, extra: 1 }, "response.extra"],
    ["a response that is not an object", [true], "response"],
    ["a string response", "yes", "response"],
  ];
  for (const [what, response, field] of invalid) {
    it(`refuses ${what} (400 naming ${field}) and leaves the inquiry pending`, async () => {
      const e = await h.inquiry({ schema });
      await assert.rejects(
        service().respond(e.id, response, "stanley"),
        (err: unknown) =>
          err instanceof InvalidInquiryResponseError &&
          err.location?.field === field &&
          err.message.includes(field),
      );
      assert.equal((await h.executions.get(e.id)).status, "pending");
    });
  }

  it("accepts a response relying on defaults and optional fields set to null", async () => {
    const e = await h.inquiry({ schema });
    const response = { approve: false, count: null };
    await service().respond(e.id, response, "stanley");
    const done = await h.executions.get(e.id);
    // Stored as sent: defaults only help the check, as in StackStorm.
    assert.deepEqual((done.result as { response: unknown }).response, response);
  });

  it("refuses the default schema's answer without `continue`", async () => {
    const e = await h.inquiry();
    await assert.rejects(service().respond(e.id, {}, "stanley"), (err: unknown) => {
      return (
        err instanceof InvalidInquiryResponseError && err.location?.field === "response.continue"
      );
    });
  });

  it("refuses a second answer (400) and keeps the first", async () => {
    const e = await h.inquiry();
    await service().respond(e.id, { continue: true }, "stanley");
    await assert.rejects(
      service().respond(e.id, { continue: false }, "stanley"),
      InquiryAlreadyRespondedError,
    );
    const done = await h.executions.get(e.id);
    assert.deepEqual((done.result as { response: unknown }).response, { continue: true });
  });

  it("refuses answers to a timed-out or canceled inquiry", async () => {
    const expired = await h.inquiry();
    await h.executions.transition(expired.id, "timeout", { expectFrom: ["pending"] });
    await assert.rejects(
      service().respond(expired.id, { continue: true }, "stanley"),
      InquiryTimedOutError,
    );
    const canceled = await h.inquiry();
    assert.equal((await h.executions.cancel(canceled.id)).status, "canceled");
    await assert.rejects(
      service().respond(canceled.id, { continue: true }, "stanley"),
      (err: unknown) => err instanceof InquiryAlreadyRespondedError && err.status === "canceled",
    );
  });
});

describe("InquiryService permissions", () => {
  const roles: Record<string, string[]> = { al: ["ops"], bo: ["dev"], cy: ["ops", "dev"] };
  const rolesOf = async (user: string) => roles[user] ?? [];
  const table: Array<[string, Record<string, unknown>, string, boolean]> = [
    ["anyone when both lists are empty", {}, "zed", true],
    ["a listed user", { users: ["al", "bo"] }, "bo", true],
    ["an unlisted user", { users: ["al"] }, "bo", false],
    ["a user holding a listed role", { roles: ["ops"] }, "al", true],
    ["a user holding none of the roles", { roles: ["ops"] }, "bo", false],
    ["a user with no roles at all", { roles: ["ops"] }, "zed", false],
    ["a listed user holding a listed role", { users: ["cy"], roles: ["dev"] }, "cy", true],
    ["a listed user without the role", { users: ["al"], roles: ["dev"] }, "al", false],
    ["an unlisted user with the role", { users: ["al"], roles: ["dev"] }, "bo", false],
  ];
  for (const [what, parameters, user, allowed] of table) {
    it(`${allowed ? "admits" : "refuses (403)"} ${what}`, async () => {
      const e = await h.inquiry(parameters);
      const attempt = service(rolesOf).respond(e.id, { continue: true }, user);
      if (allowed) {
        await attempt;
        assert.equal((await h.executions.get(e.id)).status, "succeeded");
      } else {
        await assert.rejects(
          attempt,
          (err: unknown) =>
            err instanceof InquiryForbiddenError &&
            err.statusCode === 403 &&
            err.message.includes(`"${user}"`),
        );
        assert.equal((await h.executions.get(e.id)).status, "pending");
      }
    });
  }

  it("says which users or roles may answer", async () => {
    const byUser = await h.inquiry({ users: ["al"] });
    await assert.rejects(service(rolesOf).respond(byUser.id, { continue: true }, "bo"), /"al"/);
    const byRole = await h.inquiry({ roles: ["ops"] });
    await assert.rejects(
      service(rolesOf).respond(byRole.id, { continue: true }, "bo"),
      /roles "ops"/,
    );
  });

  it("ignores roles while RBAC is off (no rolesOf), as StackStorm does", async () => {
    const e = await h.inquiry({ roles: ["ops"] });
    await service().respond(e.id, { continue: true }, "bo");
    assert.equal((await h.executions.get(e.id)).status, "succeeded");
  });

  it("checks permission before the schema, so a stranger learns nothing about it", async () => {
    const e = await h.inquiry({ users: ["al"] });
    await assert.rejects(service(rolesOf).respond(e.id, {}, "bo"), InquiryForbiddenError);
  });
});
