/**
 * Shared pieces of the store contract suite: the fixture every implementation's harness returns,
 * a manual clock, and record factories. Nothing here knows which database is underneath.
 */

import { it } from "node:test";
import type {
  ActionDef,
  AliasDef,
  PolicyDef,
  RuleDef,
  SensorDef,
  TriggerTypeDef,
} from "../../src/core/content/model.ts";
import type { NewExecution } from "../../src/core/execution/model.ts";
import type { RuleEnforcement, TraceComponent, TriggerDef } from "../../src/core/reactor/model.ts";
import { newId } from "../../src/engine/ids.ts";
import type { Store } from "../../src/engine/store/contract.ts";
import type { NewTriggerInstance } from "../../src/engine/store/reactor-contract.ts";

/** The store's clock as the tests drive it. Real time never moves it. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * What a harness's `open` returns: a fresh, empty store whose clock is `clock` (the harness must
 * pass `clock.now` to the implementation), and `cleanup`, which closes it and removes its data.
 */
export interface StoreFixture {
  store: Store;
  clock: TestClock;
  cleanup: () => Promise<void>;
}

export type OpenStore = () => Promise<StoreFixture>;

/** A clock that only moves when told; starts at a fixed instant so timestamps are predictable. */
export class ManualClock implements TestClock {
  #now: number;
  constructor(start = Date.UTC(2024, 0, 1, 12, 0, 0)) {
    this.#now = start;
  }
  now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
  iso(): string {
    return new Date(this.#now).toISOString();
  }
}

/** Registers a test that gets its own fresh store and always cleans it up. */
export function storeTest(open: OpenStore) {
  return (name: string, fn: (fx: StoreFixture) => Promise<void>, options?: { timeout?: number }) =>
    it(name, { timeout: options?.timeout ?? 30_000 }, async () => {
      const fx = await open();
      try {
        await fn(fx);
      } finally {
        await fx.cleanup();
      }
    });
}

export function newExecution(overrides: Partial<NewExecution> = {}): NewExecution {
  return {
    id: newId(),
    action: { ref: "core.local", runner_type: "local-shell-cmd" },
    parameters: { cmd: "echo hi" },
    context: { user: "stanley" },
    ...overrides,
  };
}

/** `[pack, name]` of a ref such as `examples.hello`. */
function split(ref: string): [string, string] {
  const dot = ref.indexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}

export function action(ref: string, overrides: Partial<ActionDef> = {}): ActionDef {
  const [pack, name] = split(ref);
  return {
    ref,
    uid: `action:${pack}:${name}`,
    name,
    pack,
    description: `${name} action`,
    enabled: true,
    runner_type: "local-shell-cmd",
    entry_point: "",
    parameters: { cmd: { type: "string", required: true } },
    metadata_file: `actions/${name}.yaml`,
    ...overrides,
  };
}

export function rule(ref: string, overrides: Partial<RuleDef> = {}): RuleDef {
  const [pack, name] = split(ref);
  return {
    ref,
    uid: `rule:${pack}:${name}`,
    name,
    pack,
    enabled: true,
    type: { ref: "standard" },
    trigger: { type: "core.st2.webhook", parameters: { url: name } },
    criteria: {},
    action: { ref: "core.local", parameters: { cmd: "date" } },
    metadata_file: `rules/${name}.yaml`,
    ...overrides,
  };
}

export function sensor(ref: string): SensorDef {
  const [pack, name] = split(ref);
  return {
    ref,
    uid: `sensor_type:${pack}:${name}`,
    name,
    pack,
    class_name: name,
    entry_point: `sensors/${name}.py`,
    enabled: true,
    trigger_types: [`${pack}.event`],
    metadata_file: `sensors/${name}.yaml`,
  };
}

export function triggerType(ref: string): TriggerTypeDef {
  const [pack, name] = split(ref);
  return { ref, uid: `trigger_type:${pack}:${name}`, name, pack, payload_schema: {} };
}

export function alias(ref: string): AliasDef {
  const [pack, name] = split(ref);
  return {
    ref,
    uid: `action:${pack}:${name}`,
    name,
    pack,
    action_ref: `${pack}.run`,
    enabled: true,
    formats: ["run {{cmd}}"],
    metadata_file: `aliases/${name}.yaml`,
  };
}

export function policy(ref: string, resourceRef: string): PolicyDef {
  const [pack, name] = split(ref);
  return {
    ref,
    uid: `policy:${pack}:${name}`,
    name,
    pack,
    enabled: true,
    resource_ref: resourceRef,
    policy_type: "action.concurrency",
    parameters: { threshold: 1 },
    metadata_file: `policies/${name}.yaml`,
  };
}

/** Settles after other pending work has had a chance to run (a few event-loop turns). */
export function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reports whether `promise` has settled, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const winner = await Promise.race([promise.then(() => true), settle(0).then(() => marker)]);
  return winner !== marker;
}

/** A concrete trigger of `type`; the ref's name is unique per call, as for parameterised triggers. */
export function triggerDef(
  type: string,
  parameters: Record<string, unknown>,
  overrides: Partial<TriggerDef> = {},
): TriggerDef {
  const [pack] = split(type);
  const name = `t${newId()}`;
  return {
    id: newId(),
    ref: `${pack}.${name}`,
    uid: `trigger:${pack}:${name}`,
    name,
    pack,
    type,
    parameters,
    ...overrides,
  };
}

export function triggerInstance(
  trigger: string,
  payload: Record<string, unknown> = {},
  overrides: Partial<NewTriggerInstance> = {},
): NewTriggerInstance {
  const id = newId();
  return {
    id,
    trigger,
    payload,
    occurrence_time: "2024-01-01T12:00:00.000Z",
    trace_tag: `trigger_instance-${id}`,
    ...overrides,
  };
}

export function enforcement(
  ruleRef: string,
  triggerInstanceId: string,
  executionId: string | null,
  overrides: Partial<RuleEnforcement> = {},
): RuleEnforcement {
  const [pack, name] = split(ruleRef);
  return {
    id: newId(),
    trigger_instance_id: triggerInstanceId,
    execution_id: executionId,
    rule: { ref: ruleRef, uid: `rule:${pack}:${name}` },
    enforced_at: "2024-01-01T12:00:01.000Z",
    status: executionId === null ? "failed" : "succeeded",
    failure_reason: executionId === null ? "criteria render failed" : null,
    ...overrides,
  };
}

export function traceComponent(
  objectId: string,
  ref: string,
  updatedAt: string,
  causedBy: TraceComponent["caused_by"] = {},
): TraceComponent {
  return { object_id: objectId, ref, updated_at: updatedAt, caused_by: causedBy };
}
