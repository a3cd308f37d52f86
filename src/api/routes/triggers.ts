/**
 * StackStorm's trigger endpoints: trigger instances with re-emit, and timers (the triggers of
 * the three timer types); trigger types and triggers are in trigger-types.ts.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import {
  TRIGGER_INSTANCE_STATUSES,
  type TriggerDef,
  type TriggerInstanceStatus,
} from "../../core/reactor/model.ts";
import { TIMER_TRIGGER_TYPES } from "../../core/reactor/system-triggers.ts";
import type { TriggerInstanceFilter } from "../../engine/store/reactor-contract.ts";
import { anyObject, listOf, listQuery, pathParams, responses } from "../openapi/schemas.ts";
import {
  listOptions,
  pageInMemory,
  project,
  readOrdered,
  reversedOrder,
  sendPage,
} from "../paging.ts";
import { ExecutionPresenter } from "../present.ts";
import {
  collectAll,
  getTriggerByRefOrId,
  type Query,
  type ReactorRouteDeps,
} from "./reactor-query.ts";
import { triggerTypeRoutes } from "./trigger-types.ts";

function isInstanceStatus(s: string): s is TriggerInstanceStatus {
  return (TRIGGER_INSTANCE_STATUSES as readonly string[]).includes(s);
}

function traceTagHeader(request: FastifyRequest): { traceTag?: string } {
  const tag = request.headers["st2-trace-tag"];
  return typeof tag === "string" && tag !== "" ? { traceTag: tag } : {};
}

/**
 * Action and notify triggers carry an execution's parameters and result: its secrets are masked
 * there as in the execution itself (StackStorm shows them as stored).
 */
function instancePresenter(deps: ReactorRouteDeps) {
  const presenter = new ExecutionPresenter(deps.store, deps.secrets);
  return <T extends { payload: Record<string, unknown> }>(instance: T): Promise<T> =>
    presenter
      .derived(instance.payload.execution_id, instance.payload)
      .then((payload) => ({ ...instance, payload }));
}

export function triggerRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  triggerTypeRoutes(app, deps);

  app.get<{ Querystring: Query }>(
    "/triggerinstances",
    {
      schema: {
        description: "Lists trigger instances, newest first.",
        querystring: listQuery([
          "trigger",
          "trigger_type",
          "status",
          "timestamp_gt",
          "timestamp_lt",
        ]),
        response: responses(200, listOf("Trigger instances.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Instances are stored newest first by id (creation order); that order, or its reverse.
      const options = listOptions(q, { sortable: ["id"] });
      const filter: TriggerInstanceFilter = {};
      if (q.trigger) filter.trigger = q.trigger;
      if (q.status) {
        if (!isInstanceStatus(q.status))
          throw new ValidationError(
            `status must be one of ${TRIGGER_INSTANCE_STATUSES.join(", ")}; got "${q.status}"`,
            { field: "status" },
          );
        filter.status = q.status;
      }
      if (q.timestamp_gt) filter.timestamp_gt = q.timestamp_gt;
      if (q.timestamp_lt) filter.timestamp_lt = q.timestamp_lt;
      if (q.trigger_type) {
        // Instances name their trigger, not its type: map the type to its one trigger.
        const triggers = await collectAll((p) =>
          store.reactor.listTriggers({ type: q.trigger_type }, p),
        );
        const refs = triggers.map((t) => t.ref);
        if (refs.length > 1 && filter.trigger === undefined)
          throw new ValidationError(
            `trigger type ${q.trigger_type} has ${refs.length} triggers; filter by one of them with trigger= (${refs.join(", ")})`,
            { field: "trigger_type" },
          );
        const [only] = refs;
        if (only === undefined || (filter.trigger !== undefined && !refs.includes(filter.trigger)))
          return sendPage(reply, { items: [], total: 0 }, options.page.limit);
        filter.trigger ??= only;
      }
      const page = await readOrdered(
        (p) => store.reactor.listInstances(filter, p),
        options.page,
        reversedOrder(options.sort, true),
      );
      const present = instancePresenter(deps);
      const items = await Promise.all(page.items.map(present));
      return sendPage(
        reply,
        { total: page.total, items: items.map((i) => project(i, options)) },
        options.page.limit,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    "/triggerinstances/:id",
    {
      schema: {
        description: "One trigger instance.",
        params: pathParams("id"),
        response: responses(200, anyObject("The trigger instance.")),
      },
    },
    async (request) => {
      const instance = await store.reactor.getInstance(request.params.id);
      if (!instance)
        throw new NotFoundError(`trigger instance ${request.params.id} does not exist`);
      return instancePresenter(deps)(instance);
    },
  );

  // st2 serves the same action under both names.
  for (const verb of ["re_emit", "re_send"]) {
    app.post<{ Params: { id: string } }>(
      `/triggerinstances/:id/${verb}`,
      {
        schema: {
          description: "Dispatches a copy of the trigger instance's payload again.",
          params: pathParams("id"),
          response: responses(200, anyObject("`{message, payload, trigger_instances}`.")),
        },
      },
      async (request) => {
        const { id } = request.params;
        const instance = await store.reactor.getInstance(id);
        if (!instance) throw new NotFoundError(`trigger instance ${id} does not exist`);
        // As StackStorm does: the copy says where it came from, so rules can tell re-emits apart.
        const payload = { ...structuredClone(instance.payload), __context: { original_id: id } };
        const result = await deps.dispatcher.dispatchTrigger(
          instance.trigger,
          payload,
          traceTagHeader(request),
        );
        const shown = await instancePresenter(deps)({ payload });
        return {
          message: `Trigger instance ${id} successfully re-sent.`,
          payload: shown.payload,
          trigger_instances: result.created,
          ...(result.traceTag ? { trace_tag: result.traceTag } : {}),
        };
      },
    );
  }

  app.get<{ Querystring: Query }>(
    "/timers",
    {
      schema: {
        description: "Lists timers: the triggers of the interval, date and cron timer types.",
        querystring: listQuery(["timer_type", "type"]),
        response: responses(200, listOf("Timers.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "pack", "type"] });
      const type = q.timer_type ?? q.type;
      if (type && !TIMER_TRIGGER_TYPES.includes(type))
        throw new ValidationError(
          `timer type ${type} is not one of ${TIMER_TRIGGER_TYPES.join(", ")}`,
          { field: "timer_type" },
        );
      const timers: TriggerDef[] = [];
      for (const t of type ? [type] : TIMER_TRIGGER_TYPES)
        timers.push(...(await collectAll((p) => store.reactor.listTriggers({ type: t }, p))));
      return sendPage(reply, pageInMemory(timers, options), options.page.limit);
    },
  );

  app.get<{ Params: { ref: string } }>(
    "/timers/:ref",
    {
      schema: {
        description: "One timer, by ref or id.",
        params: pathParams("ref"),
        response: responses(200, anyObject("The timer.")),
      },
    },
    async (request) => {
      const trigger = await getTriggerByRefOrId(store, request.params.ref);
      if (!TIMER_TRIGGER_TYPES.includes(trigger.type))
        throw new NotFoundError(`${request.params.ref} is a ${trigger.type} trigger, not a timer`);
      return trigger;
    },
  );
}
