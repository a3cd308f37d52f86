/**
 * Keeps the enabled rules in memory, indexed by the trigger each listens on, so matching an
 * event reads nothing from the database (StackStorm queries MongoDB for every instance). The
 * index is rebuilt off to the side and swapped in whole whenever rules change.
 */

import type { RuleDef } from "../../core/content/model.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { WEBHOOK_TRIGGER } from "../../core/reactor/system-triggers.ts";
import { RuleIndex } from "../../core/rules/index.ts";
import type { Logger } from "../logger.ts";
import { MAX_PAGE_SIZE, type Store } from "../store/contract.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { TriggerRegistry } from "./trigger-registry.ts";

export interface RuleProblem {
  rule: string;
  file: string;
  message: string;
}

export class RulesService {
  private index = new RuleIndex();
  private listeners: Array<(triggers: TriggerDef[]) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly registry: TriggerRegistry,
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
  ) {}

  rulesFor(triggerRef: string): readonly RuleDef[] {
    return this.index.rulesFor(triggerRef);
  }

  get size(): number {
    return this.index.size;
  }

  /** Called with every trigger enabled rules listen on, after each reload (timers use it). */
  onReload(listener: (triggers: TriggerDef[]) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads trigger types and rules; a rule whose trigger is unusable is reported and skipped. */
  async reload(): Promise<RuleProblem[]> {
    await this.registry.load();
    const index = new RuleIndex();
    const triggers = new Map<string, TriggerDef>();
    const problems: RuleProblem[] = [];
    for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
      const page = await this.store.content.listRules(
        { enabled: true },
        { limit: MAX_PAGE_SIZE, offset },
      );
      for (const rule of page.items) {
        try {
          const trigger = await this.registry.ensureTrigger(
            rule.trigger.type,
            rule.trigger.parameters ?? {},
          );
          index.upsert(rule, trigger.ref);
          triggers.set(trigger.ref, trigger);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          problems.push({ rule: rule.ref, file: rule.metadata_file, message });
          this.log.warn({ rule: rule.ref, file: rule.metadata_file }, `rule skipped: ${message}`);
        }
      }
      if (page.items.length < MAX_PAGE_SIZE) break;
    }
    this.index = index;
    this.registry.setListening((ref) => this.index.rulesFor(ref).length > 0);
    const all = [...triggers.values()];
    this.dispatcher.setWebhookTriggers(all.filter((t) => t.type === WEBHOOK_TRIGGER));
    for (const listener of this.listeners) listener(all);
    return problems;
  }
}
