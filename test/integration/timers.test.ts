/**
 * The timer service against a real SQLite store and a manual clock: occurrences become trigger
 * instances with st2's payload and trace tag, exactly once across nodes and restarts, removed
 * and changed timers stop firing on their old schedule, and late fires follow APScheduler's
 * misfire rules. Time only moves when a test moves it.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TriggerDef, TriggerInstance } from "../../src/core/reactor/model.ts";
import { newId } from "../../src/engine/ids.ts";
import { createLogger, SecretRegistry } from "../../src/engine/logger.ts";
import {
  startTimerService,
  TIMER_FIRE,
  type TimerEmit,
  type TimerService,
} from "../../src/engine/services/timers.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

const log = createLogger("silent", new SecretRegistry());
let dir = "";
let files = 0;
const opened: Store[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), "squall-timers-"));
});
after(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Instance writes as the reactor makes them, minus payload validation (see the report). */
const emit: TimerEmit = (ref, payload, options) => {
  const id = newId();
  const at = new Date(options.at).toISOString();
  return {
    ops: [
      {
        op: "instance.create",
        instance: {
          id,
          trigger: ref,
          payload,
          occurrence_time: at,
          trace_tag: options.traceTag,
          idempotency_key: options.idempotency.key,
        },
        idempotency: options.idempotency,
      },
      {
        op: "trace.link",
        trace_tag: options.traceTag,
        trace_id: newId(),
        kind: "trigger_instance",
        component: { object_id: id, ref, updated_at: at, caused_by: {} },
      },
    ],
  };
};

class World {
  now: number;
  readonly path: string;
  store: Store;
  readonly stopped = AbortSignal.abort();
  nodes: TimerService[] = [];

  constructor(start: string, nodes = 1) {
    this.now = Date.parse(start);
    files += 1;
    this.path = join(dir, `timers-${files}.sqlite`);
    this.store = this.open();
    for (let i = 0; i < nodes; i++) this.nodes.push(this.node(this.store, `n${i}`));
  }

  open(): Store {
    const store = openSqliteStore(this.path, { now: () => this.now });
    opened.push(store);
    return store;
  }

  /** A service whose loop is already stopped: the test drives syncTimers and runDue itself. */
  node(store: Store, nodeId: string): TimerService {
    const clock = { now: () => this.now };
    return startTimerService({ store, clock, signal: this.stopped, log, emit, nodeId });
  }

  async addTimer(type: string, parameters: Record<string, unknown>): Promise<TriggerDef> {
    const name = newId();
    const trigger: TriggerDef = {
      id: name,
      ref: `core.${name}`,
      uid: `trigger:core:${name}:${name}`,
      name,
      pack: "core",
      type,
      parameters,
    };
    await this.store.reactor.commit([{ op: "trigger.upsert", trigger }]);
    return trigger;
  }

  /**
   * Moves the clock to `iso`, stopping at every due fire time on the way and letting the nodes
   * (in turn) handle what is due: the nodes are up the whole time.
   */
  async runUntil(iso: string): Promise<void> {
    const target = Date.parse(iso);
    for (let i = 0; i < 10_000; i++) {
      const next = await this.store.queue.nextRunAt(TIMER_FIRE);
      if (next === null || next > target) break;
      this.now = Math.max(this.now, next);
      for (const node of this.nodes) await node.runDue();
    }
    this.now = target;
  }

  async instances(trigger: string): Promise<TriggerInstance[]> {
    const page = await this.store.reactor.listInstances({ trigger }, { limit: 1000 });
    return page.items.slice().reverse();
  }

  async executedAt(trigger: string): Promise<unknown[]> {
    return (await this.instances(trigger)).map((i) => i.payload.executed_at);
  }

  async pending(): Promise<number> {
    return (await this.store.queue.stats())[TIMER_FIRE]?.pending ?? 0;
  }
}

describe("timer service", () => {
  it("fires an interval timer with st2's payload and trace tag", async () => {
    const w = new World("2026-03-07T12:00:10Z");
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "seconds", delta: 30 });
    const node = w.nodes[0] as TimerService;
    assert.deepEqual(await node.syncTimers(), { scheduled: 1, finished: 0, invalid: 0 });
    await w.runUntil("2026-03-07T12:01:45Z");
    const fired = await w.instances(t.ref);
    assert.deepEqual(
      fired.map((i) => i.payload),
      ["12:00:30", "12:01:00", "12:01:30"].map((hms) => ({
        executed_at: `2026-03-07 ${hms}+00:00`,
        schedule: null,
      })),
    );
    for (const i of fired) assert.equal(i.trace_tag, `st2.IntervalTimer-${t.name}`);
    const traces = await w.store.reactor.listTraces({ trace_tag: fired[0]?.trace_tag }, {});
    assert.equal(traces.items.length, 1);
    assert.equal(await w.pending(), 1, "the next occurrence is scheduled");
    await w.store.close();
  });

  it("fires a date timer once and never schedules it again", async () => {
    const w = new World("2026-03-07T12:00:00Z");
    const node = w.nodes[0] as TimerService;
    const t = await w.addTimer("core.st2.DateTimer", {
      date: "2026-03-07 07:05:00",
      timezone: "America/New_York",
    });
    await node.syncTimers();
    await w.runUntil("2026-03-08T00:00:00Z");
    assert.deepEqual(await w.executedAt(t.ref), ["2026-03-07 12:05:00+00:00"]);
    assert.equal(await w.pending(), 0);
    assert.deepEqual(await node.syncTimers(), { scheduled: 0, finished: 1, invalid: 0 });
    await w.store.close();
  });

  it("follows cron wall time in a zone across both DST changes", async () => {
    const w = new World("2026-03-07T12:00:00Z");
    const node = w.nodes[0] as TimerService;
    const spring = await w.addTimer("core.st2.CronTimer", {
      hour: 2,
      minute: 30,
      timezone: "America/New_York",
    });
    const weekdays = await w.addTimer("core.st2.CronTimer", {
      day_of_week: "mon-fri",
      hour: 9,
      timezone: "America/New_York",
    });
    await node.syncTimers();
    await w.runUntil("2026-03-10T00:00:00Z");
    // 02:30 does not exist on 8 March: it fires at 03:30 EDT, then 02:30 EDT.
    assert.deepEqual(await w.executedAt(spring.ref), [
      "2026-03-08 07:30:00+00:00",
      "2026-03-09 06:30:00+00:00",
    ]);
    // Saturday 7 and Sunday 8 are skipped; Monday 9 at 09:00 EDT.
    assert.deepEqual(await w.executedAt(weekdays.ref), ["2026-03-09 13:00:00+00:00"]);

    const w2 = new World("2026-10-31T12:00:00Z");
    const autumn = await w2.addTimer("core.st2.CronTimer", {
      hour: 1,
      minute: 30,
      timezone: "America/New_York",
    });
    await (w2.nodes[0] as TimerService).syncTimers();
    await w2.runUntil("2026-11-02T12:00:00Z");
    // The repeated hour shows 01:30 twice (EDT, then EST), as APScheduler fires it.
    assert.deepEqual(await w2.executedAt(autumn.ref), [
      "2026-11-01 05:30:00+00:00",
      "2026-11-01 06:30:00+00:00",
      "2026-11-02 06:30:00+00:00",
    ]);
    await w.store.close();
    await w2.store.close();
  });

  it("fires each occurrence exactly once with several nodes on one database", async () => {
    const w = new World("2026-05-01T00:00:00.500Z");
    const other = w.open();
    w.nodes.push(w.node(other, "n1"), w.node(w.store, "n2"));
    const t = await w.addTimer("core.st2.CronTimer", { second: "*/10" });
    for (const node of w.nodes) await node.syncTimers();
    assert.equal(await w.pending(), 1, "three syncs, one job");
    await w.runUntil("2026-05-01T00:01:00.500Z");
    const fired = await w.executedAt(t.ref);
    assert.equal(fired.length, 6);
    assert.equal(new Set(fired).size, 6);
    await other.close();
    await w.store.close();
  });

  it("resumes after a restart without firing twice or skipping", async () => {
    const w = new World("2026-05-01T00:00:05Z");
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "minutes", delta: 1 });
    await (w.nodes[0] as TimerService).syncTimers();
    await w.runUntil("2026-05-01T00:02:30Z");
    await w.store.close();

    w.store = w.open();
    w.nodes = [w.node(w.store, "n0")];
    await (w.nodes[0] as TimerService).syncTimers();
    assert.equal(await w.pending(), 1);
    await w.runUntil("2026-05-01T00:04:30Z");
    assert.deepEqual(await w.executedAt(t.ref), [
      "2026-05-01 00:01:00+00:00",
      "2026-05-01 00:02:00+00:00",
      "2026-05-01 00:03:00+00:00",
      "2026-05-01 00:04:00+00:00",
    ]);
    await w.store.close();
  });

  it("stops a removed timer at its next occurrence", async () => {
    const w = new World("2026-05-01T00:00:00Z");
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "seconds", delta: 10 });
    await (w.nodes[0] as TimerService).syncTimers();
    await w.runUntil("2026-05-01T00:00:25Z");
    await w.store.reactor.commit([{ op: "trigger.delete", ref: t.ref }]);
    await w.runUntil("2026-05-01T00:01:00Z");
    assert.equal((await w.instances(t.ref)).length, 2);
    assert.equal(await w.pending(), 0, "the chain ended");
  });

  it("moves a timer whose parameters changed onto the new schedule", async () => {
    const w = new World("2026-05-01T00:00:00Z");
    const node = w.nodes[0] as TimerService;
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "minutes", delta: 1 });
    await node.syncTimers();
    await w.runUntil("2026-05-01T00:00:15Z");
    const changed = { ...t, parameters: { unit: "seconds", delta: 20 } };
    await w.store.reactor.commit([{ op: "trigger.upsert", trigger: changed }]);
    await node.syncTimers();
    await w.runUntil("2026-05-01T00:01:30Z");
    // The old job due at 00:01:00 held the key of the new 00:01:00: it fires, once.
    assert.deepEqual(await w.executedAt(t.ref), [
      "2026-05-01 00:00:20+00:00",
      "2026-05-01 00:00:40+00:00",
      "2026-05-01 00:01:00+00:00",
      "2026-05-01 00:01:20+00:00",
    ]);
    assert.equal(await w.pending(), 1);
  });

  it("ends the old schedule of a changed timer without firing it", async () => {
    const w = new World("2026-05-01T00:00:00Z");
    const node = w.nodes[0] as TimerService;
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "minutes", delta: 1 });
    await node.syncTimers();
    await w.runUntil("2026-05-01T00:00:15Z");
    const changed = { ...t, parameters: { unit: "seconds", delta: 25 } };
    await w.store.reactor.commit([{ op: "trigger.upsert", trigger: changed }]);
    await node.syncTimers();
    await w.runUntil("2026-05-01T00:01:30Z");
    assert.deepEqual(await w.executedAt(t.ref), [
      "2026-05-01 00:00:25+00:00",
      "2026-05-01 00:00:50+00:00",
      "2026-05-01 00:01:15+00:00",
    ]);
    assert.equal(await w.pending(), 1, "one chain left");
  });

  it("fires late once within the misfire grace and skips beyond it", async () => {
    const w = new World("2026-05-01T00:00:10Z");
    const node = w.nodes[0] as TimerService;
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "seconds", delta: 30 });
    await node.syncTimers();
    // Down from 00:00:10 to 00:05:00.5: ten occurrences missed; 00:05:00 is within the grace.
    w.now = Date.parse("2026-05-01T00:05:00.500Z");
    await node.runDue();
    assert.deepEqual(await w.executedAt(t.ref), ["2026-05-01 00:05:00.500000+00:00"]);
    // Down again until 7 s after 00:10:00: beyond the grace, nothing fires.
    w.now = Date.parse("2026-05-01T00:10:07Z");
    assert.equal(await node.runDue(), 1);
    assert.equal((await w.instances(t.ref)).length, 1);
    await w.runUntil("2026-05-01T00:10:31Z");
    assert.equal((await w.instances(t.ref)).length, 2, "back on schedule at 00:10:30");
  });

  it("reports timers with invalid parameters and schedules the rest", async () => {
    const w = new World("2026-05-01T00:00:00Z");
    await w.addTimer("core.st2.CronTimer", { day_of_week: "funday" });
    await w.addTimer("core.st2.IntervalTimer", { unit: "seconds", delta: 5 });
    await w.addTimer("core.st2.webhook", { url: "x" });
    const result = await (w.nodes[0] as TimerService).syncTimers();
    assert.deepEqual(result, { scheduled: 1, finished: 0, invalid: 1 });
  });

  it("runs by itself: the loop syncs at start and fires what comes due", async () => {
    const w = new World("2026-05-01T00:00:00Z");
    const t = await w.addTimer("core.st2.IntervalTimer", { unit: "seconds", delta: 1 });
    const ac = new AbortController();
    const clock = { now: () => w.now };
    const live = startTimerService({
      store: w.store,
      clock,
      signal: ac.signal,
      log,
      emit,
      idleMs: 5,
    });
    try {
      for (let i = 0; i < 400 && (await w.pending()) === 0; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      w.now = Date.parse("2026-05-01T00:00:01Z");
      for (let i = 0; i < 400 && (await w.instances(t.ref)).length === 0; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.deepEqual(await w.executedAt(t.ref), ["2026-05-01 00:00:01+00:00"]);
    } finally {
      ac.abort();
      await live.done;
    }
  });
});
