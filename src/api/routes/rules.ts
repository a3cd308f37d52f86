/**
 * StackStorm's rule endpoints: rules (read, and update for `st2 rule enable|disable`), rule
 * views, rule types and rule enforcements.
 */

import type { FastifyInstance } from "fastify";
import type { RuleDef } from "../../core/content/model.ts";
import { validateRule } from "../../core/content/validate.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { isParameterised } from "../../core/reactor/system-triggers.ts";
import type { ContentStore } from "../../engine/store/contract.ts";
import { pageFrom, sendPage } from "../paging.ts";
import {
  isPlainObject,
  parseBool,
  type Query,
  type ReactorRouteDeps,
  refuseFilters,
} from "./reactor-query.ts";
import { RulePresenter, restoreMaskedSecrets } from "./rule-view.ts";

/** st2's RuleTypeAPI records (its ruletypes registrar); Squall has exactly these two. */
export const RULE_TYPES = [
  {
    id: "standard",
    name: "standard",
    description: "A rule that applies whenever its criteria match.",
    enabled: true,
    parameters: {},
  },
  {
    id: "backstop",
    name: "backstop",
    description:
      "A rule that applies only when no standard rule matched the same trigger instance.",
    enabled: true,
    parameters: {},
  },
] as const;

type RuleFilter = Parameters<ContentStore["listRules"]>[0];

async function ruleFilter(q: Query, deps: ReactorRouteDeps): Promise<RuleFilter> {
  refuseFilters(q, ["action", "user", "name"]);
  const filter: RuleFilter = {};
  if (q.pack) filter.pack = q.pack;
  if (q.enabled !== undefined && q.enabled !== "") filter.enabled = parseBool(q.enabled, "enabled");
  if (q.trigger_type) filter.trigger_type = q.trigger_type;
  if (q.trigger) {
    // st2 filters on the rule's trigger ref. For a parameterless type that is the type's ref;
    // a parameterised trigger is shared by rules with the same parameters, so it cannot be
    // narrowed by type alone.
    const type = await deps.store.content.getTriggerType(q.trigger);
    const shadow = type && !isParameterised(type);
    if (!shadow)
      throw new ValidationError(
        `filtering by trigger works for parameterless trigger types only; use trigger_type=<type ref>`,
        { field: "trigger" },
      );
    filter.trigger_type = q.trigger;
  }
  return filter;
}

async function requireRule(deps: ReactorRouteDeps, ref: string): Promise<RuleDef> {
  const rule = await deps.store.content.getRule(ref);
  if (!rule) throw new NotFoundError(`rule ${ref} is not registered`);
  return rule;
}

/** The rules a reload skipped, when the reload reports them (RulesService does). */
function problemFor(report: unknown, ref: string): string | undefined {
  if (!Array.isArray(report)) return undefined;
  for (const p of report as unknown[])
    if (isPlainObject(p) && p.rule === ref && typeof p.message === "string") return p.message;
  return undefined;
}

/**
 * Validates a PUT body as the rule file it replaces would be validated, then keeps what the
 * body cannot change: the rule's identity and where its definition lives.
 */
async function updatedRule(
  deps: ReactorRouteDeps,
  existing: RuleDef,
  body: unknown,
): Promise<RuleDef> {
  if (!isPlainObject(body)) throw new ValidationError("request body must be a rule object");
  if (body.ref !== undefined && body.ref !== existing.ref)
    throw new ValidationError(
      `ref is "${String(body.ref)}" but the rule updated is ${existing.ref}`,
      {
        field: "ref",
      },
    );
  const validated = validateRule(body, { pack: existing.pack, file: existing.metadata_file });
  if (!validated.ok) {
    const first = validated.errors[0];
    throw new ValidationError(validated.errors.map((e) => e.message).join("; "), {
      file: existing.metadata_file,
      ...(first?.field ? { field: first.field } : {}),
    });
  }
  const rule = validated.value;
  if (rule.name !== existing.name)
    throw new ValidationError(
      `name is "${rule.name}" but the rule updated is ${existing.ref}; rules cannot be renamed`,
      { field: "name" },
    );
  const action = await deps.store.content.getAction(rule.action.ref);
  rule.action.parameters = restoreMaskedSecrets(
    rule.action.parameters ?? {},
    existing.action.ref === rule.action.ref ? (existing.action.parameters ?? {}) : {},
    action,
  );
  return rule;
}

export function ruleRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;
  const presenter = () => new RulePresenter(store);

  app.get<{ Querystring: Query }>("/rules", async (request, reply) => {
    const page = await store.content.listRules(
      await ruleFilter(request.query, deps),
      pageFrom(request.query),
    );
    return sendPage(reply, { total: page.total, items: await presenter().many(page.items) });
  });

  app.get<{ Querystring: Query }>("/rules/views", async (request, reply) => {
    const page = await store.content.listRules(
      await ruleFilter(request.query, deps),
      pageFrom(request.query),
    );
    const p = presenter();
    return sendPage(reply, {
      total: page.total,
      items: await Promise.all(page.items.map((r) => p.view(r))),
    });
  });

  app.get<{ Params: { ref: string } }>("/rules/views/:ref", async (request) =>
    presenter().view(await requireRule(deps, request.params.ref)),
  );

  app.get<{ Params: { ref: string } }>("/rules/:ref", async (request) =>
    presenter().one(await requireRule(deps, request.params.ref)),
  );

  app.put<{ Params: { ref: string }; Body: unknown }>("/rules/:ref", async (request) => {
    const existing = await requireRule(deps, request.params.ref);
    const rule = await updatedRule(deps, existing, request.body);
    await store.content.upsertRule(rule);
    // The reactor matches from memory: reload so the change applies to the next event.
    const problem = problemFor(await deps.rules.reload(), rule.ref);
    if (problem !== undefined && rule.enabled) {
      // StackStorm refuses such a rule before storing it; put the previous one back.
      await store.content.upsertRule(existing);
      await deps.rules.reload();
      throw new ValidationError(`rule ${rule.ref} was not updated: ${problem}`, {
        file: existing.metadata_file,
        field: "trigger",
      });
    }
    return presenter().one(rule);
  });

  app.get("/ruletypes", async () => RULE_TYPES);

  app.get<{ Params: { id: string } }>("/ruletypes/:id", async (request) => {
    const found = RULE_TYPES.find((t) => t.id === request.params.id);
    if (!found)
      throw new NotFoundError(
        `rule type ${request.params.id} does not exist (standard or backstop)`,
      );
    return found;
  });

  app.get<{ Querystring: Query }>("/ruleenforcements", async (request, reply) => {
    const q = request.query;
    refuseFilters(q, ["rule_id", "enforced_at", "enforced_at_gt", "enforced_at_lt"]);
    const rule = q.rule_ref || q.rule;
    const filter = {
      ...(rule ? { rule } : {}),
      ...(q.trigger_instance ? { trigger_instance: q.trigger_instance } : {}),
      ...(q.execution ? { execution: q.execution } : {}),
    };
    return sendPage(reply, await store.reactor.listEnforcements(filter, pageFrom(q)));
  });

  app.get<{ Params: { id: string } }>("/ruleenforcements/:id", async (request) => {
    const found = await store.reactor.getEnforcement(request.params.id);
    if (!found) throw new NotFoundError(`rule enforcement ${request.params.id} does not exist`);
    return found;
  });
}
