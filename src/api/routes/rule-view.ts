/**
 * Shapes rules for the API the way st2's RuleAPI does: the trigger's ref filled in, secret action
 * parameters masked, and (for `/rules/views`) the trigger's and action's descriptions added.
 *
 * `id` is the rule's ref: Squall keys rules by ref, and st2client updates a rule with
 * `PUT /rules/<id>` after reading it, so the id must lead back to the same rule.
 */

import type { ActionDef, RuleDef, TriggerTypeDef } from "../../core/content/model.ts";
import {
  MASKED_ATTRIBUTE_VALUE,
  maskSecretParameters,
  type SecretShape,
  secretShapeOf,
} from "../../core/params/index.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import type { Store } from "../../engine/store/contract.ts";
import { isPlainObject } from "./reactor-query.ts";

export type RuleView = Record<string, unknown> & {
  trigger: Record<string, unknown>;
  action: Record<string, unknown>;
};

/** Per-request lookups, cached so a page of rules reads each action and trigger once. */
export class RulePresenter {
  private readonly actions = new Map<string, Promise<ActionDef | null>>();
  private readonly types = new Map<string, Promise<TriggerTypeDef | null>>();
  private readonly triggers = new Map<string, Promise<TriggerDef | null>>();

  constructor(
    private readonly store: Store,
    /** An administrator asked for `show_secrets`: action parameters are shown as stored. */
    private readonly unmasked = false,
  ) {}

  action(ref: string): Promise<ActionDef | null> {
    return cached(this.actions, ref, () => this.store.content.getAction(ref));
  }

  /** The Trigger the rule listens on, when it exists yet (enabling the rule creates it). */
  trigger(rule: RuleDef): Promise<TriggerDef | null> {
    const params = rule.trigger.parameters ?? {};
    const key = rule.trigger.ref ?? `${rule.trigger.type}\0${JSON.stringify(params)}`;
    return cached(this.triggers, key, () =>
      rule.trigger.ref
        ? this.store.reactor.getTrigger(rule.trigger.ref)
        : this.store.reactor.findTrigger(rule.trigger.type, params),
    );
  }

  async one(rule: RuleDef): Promise<RuleView> {
    const params = rule.trigger.parameters ?? {};
    const trigger = await this.trigger(rule);
    // A parameterless type's shadow trigger has the type's own ref.
    const ref =
      rule.trigger.ref ??
      trigger?.ref ??
      (Object.keys(params).length === 0 ? rule.trigger.type : undefined);
    const action = await this.action(rule.action.ref);
    const actionParams = rule.action.parameters ?? {};
    return {
      id: rule.ref,
      ...rule,
      trigger: { type: rule.trigger.type, parameters: params, ...(ref ? { ref } : {}) },
      action: {
        ...rule.action,
        parameters:
          action && !this.unmasked
            ? maskSecretParameters(actionParams, action.parameters)
            : actionParams,
      },
    };
  }

  many(rules: RuleDef[]): Promise<RuleView[]> {
    return Promise.all(rules.map((r) => this.one(r)));
  }

  /** st2's RuleViewController: descriptions of the action, and of the trigger or else its type. */
  async view(rule: RuleDef): Promise<RuleView> {
    const out = await this.one(rule);
    const action = await this.action(rule.action.ref);
    const trigger = await this.trigger(rule);
    const type = await cached(this.types, rule.trigger.type, () =>
      this.store.content.getTriggerType(rule.trigger.type),
    );
    out.action.description = action?.description ?? "";
    out.trigger.description = trigger?.description || type?.description || "";
    return out;
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = map.get(key);
  if (!hit) {
    hit = load();
    map.set(key, hit);
  }
  return hit;
}

/**
 * A rule read from the API has its secrets masked; sent back unchanged (st2 rule enable does
 * exactly that), the mask must not overwrite the stored secret. Where the new value is the mask
 * at a secret position, the stored value is kept.
 */
export function restoreMaskedSecrets(
  incoming: Record<string, unknown>,
  stored: Record<string, unknown>,
  action: Pick<ActionDef, "parameters"> | null,
): Record<string, unknown> {
  if (!action) return incoming;
  const out: Record<string, unknown> = { ...incoming };
  for (const [name, shape] of Object.entries(secretShapeOf(action.parameters))) {
    if (Object.hasOwn(out, name) && Object.hasOwn(stored, name))
      out[name] = restore(out[name], stored[name], shape);
  }
  return out;
}

function restore(value: unknown, stored: unknown, shape: SecretShape): unknown {
  if (shape === true) return value === MASKED_ATTRIBUTE_VALUE ? stored : value;
  if ("items" in shape) {
    if (!Array.isArray(value) || !Array.isArray(stored)) return value;
    return value.map((v, i) => (i < stored.length ? restore(v, stored[i], shape.items) : v));
  }
  if (!isPlainObject(value) || !isPlainObject(stored)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, sub] of Object.entries(shape.properties))
    if (Object.hasOwn(out, k) && Object.hasOwn(stored, k)) out[k] = restore(out[k], stored[k], sub);
  return out;
}
