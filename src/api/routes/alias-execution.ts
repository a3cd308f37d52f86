/**
 * Running an action through an alias, as chat bots do (st2's `/aliasexecution`):
 * - `POST /aliasexecution` names the alias and the format that matched, with the command;
 * - `POST /aliasexecution/match_and_execute` finds them from the command alone.
 * Parameters are picked out of the command by the format, cast to the action's parameter types
 * (a comma list for arrays), joined by the alias's immutable parameters, and the action runs as
 * the requester with the chat user recorded as `api_user`. The answer carries the execution,
 * the alias and, when the alias has an `ack`, the rendered acknowledgement.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type AliasMatch,
  extractMultipleParameters,
  extractParameters,
  findMatchingAlias,
  normaliseFormat,
} from "../../core/aliases/index.ts";
import type { AliasDef, ParameterSchema } from "../../core/content/model.ts";
import { NotFoundError, RenderError, ValidationError } from "../../core/errors.ts";
import type { ExecutionContext } from "../../core/execution/model.ts";
import { JinjaEngine } from "../../core/expr/jinja/engine.ts";
import {
  castParameter,
  DEFAULT_SYSTEM_USER,
  datastoreContext,
  datastoreReferences,
  datastoreUser,
  mergeSchemas,
} from "../../core/params/index.ts";
import { prefetch } from "../../engine/services/parameters.ts";
import type { ApiContext } from "../context.ts";
import { anyObject, responses, SHOW_SECRETS } from "../openapi/schemas.ts";
import { ExecutionPresenter, showSecrets } from "../present.ts";
import { allAliases, presentAlias, requireAlias } from "./aliases.ts";

const TEXT = { type: "string", maxLength: 4096 };
const CHAT_FIELDS = {
  user: { type: ["string", "null"], maxLength: 256 },
  source_channel: { type: ["string", "null"], maxLength: 1024 },
  source_context: { type: ["object", "null"] },
  notification_channel: { type: ["string", "null"], maxLength: 1024 },
  notification_route: { type: ["string", "null"], maxLength: 1024 },
};

/** st2's AliasExecutionAPI. */
const EXECUTE_BODY = {
  type: "object",
  properties: { name: TEXT, format: TEXT, command: TEXT, ...CHAT_FIELDS },
  required: ["name", "format", "command"],
  additionalProperties: false,
};

/** st2's AliasMatchAndExecuteInputAPI. */
const MATCH_AND_EXECUTE_BODY = {
  type: "object",
  properties: { command: TEXT, ...CHAT_FIELDS },
  required: ["command"],
  additionalProperties: false,
};

interface ChatFields {
  user?: string | null;
  source_channel?: string | null;
  source_context?: Record<string, unknown> | null;
  notification_channel?: string | null;
  notification_route?: string | null;
}

/** Templates in immutable parameters and ack messages; StackStorm renders them strictly. */
const engine = new JinjaEngine();

/** The format strings a request may name: strings, and the representations of dict formats. */
function formatStrings(alias: AliasDef): string[] {
  return alias.formats.flatMap((f) =>
    typeof f === "string" ? [f] : normaliseFormat(f).representations,
  );
}

/** Alias parameters arrive as text: cast to the action's types, a comma list for arrays. */
function castAll(
  values: Record<string, unknown>,
  schema: ParameterSchema,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = schema[name];
    out[name] =
      spec?.type === "array" && typeof value === "string"
        ? value.split(",").map((v) => v.trim())
        : castParameter(name, value, spec);
  }
  return out;
}

function renderDeep(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === "string")
    return engine.isTemplate(value) ? engine.renderValue(value, context) : value;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, context));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, context)]));
  return value;
}

export function aliasExecutionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const presenter = () => new ExecutionPresenter(ctx.store, ctx.secrets);

  /** Immutable parameters, rendered with the action context and `st2kv` as StackStorm does. */
  async function immutableParameters(
    alias: AliasDef,
    context: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const immutable = alias.immutable_parameters ?? {};
    if (Object.keys(immutable).length === 0) return {};
    const user = datastoreUser(context, DEFAULT_SYSTEM_USER);
    const refs = datastoreReferences(immutable, {});
    const snapshot = refs.length > 0 ? await prefetch(ctx.store.kv, refs, user) : new Map();
    const st2kv = datastoreContext((scope, name) => snapshot.get(`${scope}\u0000${name}`), user);
    try {
      return renderDeep(immutable, { st2kv, ...context }) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof RenderError)
        throw new ValidationError(`immutable_parameters of alias ${alias.ref}: ${err.message}`, {
          field: "immutable_parameters",
        });
      throw err;
    }
  }

  /** The ack `format` and `extra` rendered against the result; a failure is reported in place. */
  function acknowledge(alias: AliasDef, result: Record<string, unknown>): void {
    const ack = alias.ack;
    if (!ack) return;
    if (typeof ack.format === "string") {
      try {
        result.message = engine.render(ack.format, result);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        result.message = `Cannot render "format" in field "ack" for alias. ${err.message}`;
      }
    }
    if (ack.extra !== undefined) {
      try {
        result.extra = renderDeep(ack.extra, result);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        result.extra = `Cannot render "extra" in field "ack" for alias. ${err.message}`;
      }
    }
  }

  async function execute(
    request: FastifyRequest,
    alias: AliasDef,
    format: string,
    command: string,
    chat: ChatFields,
    matchMultiple: boolean,
  ): Promise<Array<Record<string, unknown>>> {
    if (!alias.enabled)
      throw new ValidationError(`Action alias with name "${alias.name}" is disabled.`);
    if (!formatStrings(alias).includes(format))
      throw new ValidationError(
        `Format string "${format}" is not available on the alias "${alias.name}"`,
        { field: "format" },
      );
    const parameterSets = matchMultiple
      ? extractMultipleParameters(format, command)
      : [extractParameters(format, command)];

    const action = await ctx.store.content.getAction(alias.action_ref);
    if (!action) throw new NotFoundError(`Action with ref "${alias.action_ref}" not found`);
    // The alias permission let the request in; running the action needs its own permission.
    request.squallAuthorize?.("action_execute", {
      uid: action.uid,
      packUid: `pack:${action.pack}`,
    });
    const runner = await ctx.store.content.getRunnerType(action.runner_type);
    const schema = mergeSchemas(runner?.runner_parameters ?? {}, action.parameters);

    const context: ExecutionContext = {
      action_alias_ref: alias.ref,
      user: request.squallUser?.name ?? DEFAULT_SYSTEM_USER,
      ...(chat.user ? { api_user: chat.user } : {}),
      ...(chat.source_channel ? { source_channel: chat.source_channel } : {}),
    };
    // Templates see every context field, absent ones as None (StackStorm's context dict).
    const immutable = await immutableParameters(alias, {
      api_user: null,
      source_channel: null,
      ...context,
    });
    const unmasked = showSecrets(request, ctx);
    const results: Array<Record<string, unknown>> = [];
    for (const extracted of parameterSets) {
      const overridden = Object.keys(immutable).filter((k) => k in extracted);
      if (overridden.length > 0)
        throw new ValidationError(
          `Immutable arguments cannot be overriden: ${overridden.join(",")}`,
          { field: overridden[0] ?? "parameters" },
        );
      const parameters = { ...castAll(extracted, schema), ...immutable };
      const execution = await ctx.executions.request({
        action: action.ref,
        parameters,
        context: { ...context },
      });
      const result: Record<string, unknown> = {
        execution: await presenter().one(execution, unmasked),
        actionalias: presentAlias(alias),
      };
      acknowledge(alias, result);
      results.push(result);
    }
    return results;
  }

  const query = { type: "object", properties: { show_secrets: SHOW_SECRETS } };

  app.post<{ Body: ChatFields & { name: string; format: string; command: string } }>(
    "/aliasexecution",
    {
      schema: {
        description: "Runs the action of a named alias with the parameters a command gives.",
        querystring: query,
        body: EXECUTE_BODY,
        response: responses(201, anyObject("{execution, actionalias, message?, extra?}")),
      },
    },
    async (request, reply) => {
      const { name, format, command } = request.body;
      const alias = await requireAlias(ctx.store, name);
      const [result] = await execute(request, alias, format, command, request.body, false);
      void reply.code(201);
      return result;
    },
  );

  app.post<{ Body: ChatFields & { command: string } }>(
    "/aliasexecution/match_and_execute",
    {
      schema: {
        description: "Finds the alias a command matches and runs its action.",
        querystring: query,
        body: MATCH_AND_EXECUTE_BODY,
        response: responses(201, anyObject("{results: [{execution, actionalias, …}]}")),
      },
    },
    async (request, reply) => {
      const { command } = request.body;
      const match: AliasMatch = findMatchingAlias(command, await allAliases(ctx.store));
      const results = await execute(
        request,
        match.alias,
        match.representation,
        command,
        request.body,
        match.matchMultiple,
      );
      void reply.code(201);
      return { results };
    },
  );
}
