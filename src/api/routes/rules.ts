/**
 * StackStorm's rule endpoints: rules (list, get, create, update for `st2 rule enable|disable`,
 * delete), rule views and rule types. Rule enforcements are in rule-enforcements.ts.
 *
 * The reactor matches rules from memory, so every change reloads the rule index; a rule the
 * reload cannot use (unknown trigger type, bad trigger parameters) is refused and undone.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RuleDef } from "../../core/content/model.ts";
import { RULE_SCHEMA } from "../../core/content/schemas.ts";
import { validateRule } from "../../core/content/validate.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { isParameterised } from "../../core/reactor/system-triggers.ts";
import type { ContentStore } from "../../engine/store/contract.ts";
import { mayShowSecrets } from "../auth/plugin.ts";
import {
  anyObject,
  faultSchema,
  listOf,
  listQuery,
  pathParams,
  responses,
} from "../openapi/schemas.ts";
import { type ListOptions, listOptions, project, sendPage, sortRecords } from "../paging.ts";
import { bodySchema, NO_FILE, orRefuse, packOf } from "./content-write.ts";
import {
  collectAll,
  isPlainObject,
  parseBool,
  type Query,
  type ReactorRouteDeps,
  refuseFilters,
} from "./reactor-query.ts";
import { ruleEnforcementRoutes } from "./rule-enforcements.ts";
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
  refuseFilters(q, ["user"]);
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

const RULE_BODY = bodySchema(RULE_SCHEMA, "A rule (st2's RuleAPI), as in a rule file.");
const RULE_FILTERS = ["pack", "name", "action", "enabled", "trigger", "trigger_type"];
const SORTABLE = ["ref", "name", "pack", "enabled"];

export function ruleRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;
  // Administrators asking for show_secrets see the action parameters as stored.
  const presenter = (request: FastifyRequest) => new RulePresenter(store, mayShowSecrets(request));

  /** Rules are few: filtered and sorted in memory, then only the page is presented. */
  const pageOf = async (q: Query, options: ListOptions) => {
    const filter = await ruleFilter(q, deps);
    const all = (await collectAll((p) => store.content.listRules(filter, p))).filter(
      (r) => (!q.name || r.name === q.name) && (!q.action || r.action.ref === q.action),
    );
    const sorted = options.sort.length > 0 ? sortRecords(all, options.sort) : all;
    const { offset, limit } = options.page;
    return {
      total: all.length,
      items: sorted.slice(offset, limit === null ? undefined : offset + limit),
    };
  };

  /** Stores the rule and reloads; when the reactor cannot use an enabled rule, undoes it. */
  const apply = async (rule: RuleDef, previous: RuleDef | null) => {
    await store.content.upsertRule(rule);
    const problem = problemFor(await deps.rules.reload(), rule.ref);
    if (problem === undefined || !rule.enabled) return;
    // StackStorm refuses such a rule before storing it; put things back as they were.
    if (previous) await store.content.upsertRule(previous);
    else await store.content.deleteRule(rule.ref);
    await deps.rules.reload();
    throw new ValidationError(
      `rule ${rule.ref} was not ${previous ? "updated" : "created"}: ${problem}`,
      { ...(rule.metadata_file ? { file: rule.metadata_file } : {}), field: "trigger" },
    );
  };

  app.get<{ Querystring: Query }>(
    "/rules",
    {
      schema: {
        description: "Lists rules.",
        querystring: listQuery(RULE_FILTERS),
        response: responses(200, listOf("Rules.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const page = await pageOf(request.query, options);
      const items = await presenter(request).many(page.items);
      return sendPage(
        reply,
        { total: page.total, items: items.map((r) => project(r, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Querystring: Query }>(
    "/rules/views",
    {
      schema: {
        description: "Lists rules with their trigger's and action's descriptions.",
        querystring: listQuery(RULE_FILTERS),
        response: responses(200, listOf("Rules.")),
      },
    },
    async (request, reply) => {
      const options = listOptions(request.query, { sortable: SORTABLE });
      const page = await pageOf(request.query, options);
      const p = presenter(request);
      const items = await Promise.all(page.items.map((r) => p.view(r)));
      return sendPage(
        reply,
        { total: page.total, items: items.map((r) => project(r, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/rules/views/:ref",
    {
      schema: {
        description: "One rule with its trigger's and action's descriptions.",
        params: pathParams("ref"),
        response: responses(200, anyObject("The rule.")),
      },
    },
    async (request) => presenter(request).view(await requireRule(deps, request.params.ref)),
  );

  app.get<{ Params: { ref: string } }>(
    "/rules/:ref",
    {
      schema: {
        description: "One rule, by ref (which is also its id).",
        params: pathParams("ref"),
        response: responses(200, anyObject("The rule.")),
      },
    },
    async (request) => presenter(request).one(await requireRule(deps, request.params.ref)),
  );

  app.post<{ Body: Record<string, unknown> }>(
    "/rules",
    {
      schema: {
        description: "Creates a rule (in the database; the pack's files are not changed).",
        body: RULE_BODY,
        response: responses(201, anyObject("The rule."), 400, 409),
      },
    },
    async (request, reply) => {
      const rule = orRefuse(
        validateRule(request.body, { pack: packOf(request.body), file: NO_FILE }),
      );
      if (await store.content.getRule(rule.ref))
        throw new ConflictError(`rule ${rule.ref} already exists; update it with PUT`);
      await apply(rule, null);
      void reply.code(201);
      return presenter(request).one(rule);
    },
  );

  app.put<{ Params: { ref: string }; Body: unknown }>(
    "/rules/:ref",
    {
      schema: {
        description: "Replaces a rule's definition (`st2 rule enable|disable` send it back).",
        params: pathParams("ref"),
        body: RULE_BODY,
        response: responses(200, anyObject("The rule.")),
      },
    },
    async (request) => {
      const existing = await requireRule(deps, request.params.ref);
      const rule = await updatedRule(deps, existing, request.body);
      await apply(rule, existing);
      return presenter(request).one(rule);
    },
  );

  app.delete<{ Params: { ref: string } }>(
    "/rules/:ref",
    {
      schema: {
        description: "Deletes a rule.",
        params: pathParams("ref"),
        response: { 204: { description: "Deleted.", type: "null" }, 404: faultSchema },
      },
    },
    async (request, reply) => {
      const existing = await requireRule(deps, request.params.ref);
      await store.content.deleteRule(existing.ref);
      await deps.rules.reload();
      return reply.code(204).send();
    },
  );

  app.get(
    "/ruletypes",
    {
      schema: {
        description: "Lists rule types (standard and backstop).",
        response: responses(200, listOf("Rule types.")),
      },
    },
    async () => RULE_TYPES,
  );

  app.get<{ Params: { id: string } }>(
    "/ruletypes/:id",
    {
      schema: {
        description: "One rule type.",
        params: pathParams("id"),
        response: responses(200, anyObject("The rule type.")),
      },
    },
    async (request) => {
      const found = RULE_TYPES.find((t) => t.id === request.params.id);
      if (!found)
        throw new NotFoundError(
          `rule type ${request.params.id} does not exist (standard or backstop)`,
        );
      return found;
    },
  );

  ruleEnforcementRoutes(app, deps);
}
