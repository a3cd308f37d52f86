/**
 * The reactor API (trigger types, triggers, trigger instances, timers, rules, rule types, rule
 * enforcements, traces) on a real SQLite store with the real trigger registry, dispatcher and
 * rules service, through fastify's inject.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { TriggerTypeDef } from "../../src/core/content/model.ts";
import type { TriggerDef, TriggerInstance } from "../../src/core/reactor/model.ts";
import { type ReactorApi, startReactorApi } from "./reactor-api-fixture.ts";

let api: ReactorApi;
beforeEach(async () => {
  api = await startReactorApi();
});
afterEach(async () => {
  await api.close();
});

const get = (url: string) => api.get(url);
const send = (...args: Parameters<ReactorApi["send"]>) => api.send(...args);
const fire = (...args: Parameters<ReactorApi["fire"]>) => api.fire(...args);

describe("trigger types and triggers", () => {
  it("lists trigger types by pack with a total, and gets one by ref", async () => {
    const demo = await get("/triggertypes?pack=demo");
    assert.equal(demo.status, 200);
    assert.equal(demo.total, "1");
    assert.deepEqual(
      demo.body.map((t: TriggerTypeDef) => t.ref),
      ["demo.event"],
    );
    const core = await get("/triggertypes?pack=core&limit=2");
    assert.equal(core.body.length, 2);
    assert.ok(Number(core.total) >= 14, "every built-in type is registered");
    const one = await get("/triggertypes/core.st2.webhook");
    assert.equal(one.body.ref, "core.st2.webhook");
    const missing = await get("/triggertypes/demo.nope");
    assert.equal(missing.status, 404);
    assert.match(missing.body.faultstring, /demo\.nope/);
  });

  it("lists triggers by type and finds one by ref or by id", async () => {
    const hooks = await get("/triggers?type=core.st2.webhook");
    assert.equal(hooks.body.length, 1);
    const hook = hooks.body[0] as TriggerDef;
    assert.deepEqual(hook.parameters, { url: "hook1" });
    assert.equal((await get(`/triggers/${hook.ref}`)).body.id, hook.id);
    assert.equal((await get(`/triggers/${hook.id}`)).body.ref, hook.ref);
    assert.equal((await get("/triggers/demo.event")).body.type, "demo.event", "shadow trigger");
    assert.equal((await get("/triggers/nothing-here")).status, 404);
  });
});

describe("trigger instances", () => {
  it("lists newest first with filters on trigger, status, type and time", async () => {
    const first = await fire({ x: 1 }, Date.UTC(2024, 0, 1, 10));
    const second = await fire({ x: 2 }, Date.UTC(2024, 0, 1, 11));
    const all = await get("/triggerinstances");
    assert.deepEqual(
      all.body.map((i: TriggerInstance) => i.id),
      [second, first],
    );
    assert.equal(all.total, "2");
    assert.equal((await get("/triggerinstances?trigger=demo.event&status=pending")).body.length, 2);
    assert.equal((await get("/triggerinstances?status=processed")).body.length, 0);
    assert.equal((await get("/triggerinstances?trigger=core.st2.webhook")).body.length, 0);
    const byType = await get("/triggerinstances?trigger_type=demo.event");
    assert.equal(byType.body.length, 2);
    const later = await get("/triggerinstances?timestamp_gt=2024-01-01T10:30:00Z");
    assert.deepEqual(
      later.body.map((i: TriggerInstance) => i.id),
      [second],
    );
    const one = await get(`/triggerinstances/${first}`);
    assert.deepEqual(one.body.payload, { x: 1 });
    assert.equal(one.body.trigger, "demo.event");
  });

  it("refuses an unknown status and answers 404 for an unknown id", async () => {
    const bad = await get("/triggerinstances?status=done");
    assert.equal(bad.status, 400);
    assert.match(bad.body.faultstring, /status/);
    assert.equal((await get("/triggerinstances/000000000000000000000000")).status, 404);
  });

  it("re-emits an instance's payload to the same trigger, marked with the original id", async () => {
    const original = await fire({ x: 7 }, Date.UTC(2024, 0, 2));
    api.clock.now = Date.UTC(2024, 0, 3);
    const res = await send("POST", `/triggerinstances/${original}/re_emit`, undefined, {
      "st2-trace-tag": "replay-1",
    });
    assert.equal(res.status, 200);
    assert.match(res.body.message, new RegExp(original));
    assert.deepEqual(res.body.payload, { x: 7, __context: { original_id: original } });
    assert.equal(res.body.trace_tag, "replay-1");
    const [copy] = res.body.trigger_instances as string[];
    const stored = await get(`/triggerinstances/${copy}`);
    assert.equal(stored.body.trigger, "demo.event");
    assert.deepEqual(stored.body.payload, { x: 7, __context: { original_id: original } });
    assert.equal(stored.body.trace_tag, "replay-1");
    assert.equal((await send("POST", "/triggerinstances/nope/re_emit")).status, 404);
  });
});

describe("timers", () => {
  it("lists the triggers of timer types and gets one", async () => {
    const timers = await get("/timers");
    assert.equal(timers.body.length, 1, "only the enabled timer rule created a trigger");
    const timer = timers.body[0] as TriggerDef;
    assert.equal(timer.type, "core.st2.IntervalTimer");
    assert.deepEqual(timer.parameters, { unit: "seconds", delta: 30 });
    assert.equal((await get("/timers?timer_type=core.st2.CronTimer")).body.length, 0);
    assert.equal((await get("/timers?timer_type=core.st2.webhook")).status, 400);
    assert.equal((await get(`/timers/${timer.ref}`)).body.id, timer.id);
    const hook = (await get("/triggers?type=core.st2.webhook")).body[0] as TriggerDef;
    assert.equal((await get(`/timers/${hook.ref}`)).status, 404);
  });
});
