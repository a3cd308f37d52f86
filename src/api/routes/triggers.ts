/**
 * StackStorm's trigger endpoints: trigger types (content), triggers (a type plus parameters),
 * trigger instances with re-emit, and timers (the triggers of the three timer types).
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
import { pageFrom, sendPage } from "../paging.ts";
import {
  collectAll,
  getTriggerByRefOrId,
  type Query,
  type ReactorRouteDeps,
  refuseFilters,
} from "./reactor-query.ts";

function isInstanceStatus(s: string): s is TriggerInstanceStatus {
  return (TRIGGER_INSTANCE_STATUSES as readonly string[]).includes(s);
}

function traceTagHeader(request: FastifyRequest): { traceTag?: string } {
  const tag = request.headers["st2-trace-tag"];
  return typeof tag === "string" && tag !== "" ? { traceTag: tag } : {};
}

export function triggerRoutes(app: FastifyInstance, deps: ReactorRouteDeps): void {
  const { store } = deps;

  app.get<{ Querystring: Query }>("/triggertypes", async (request, reply) => {
    const q = request.query;
    refuseFilters(q, ["name"], "use GET /triggertypes/<pack.name>");
    const page = await store.content.listTriggerTypes(q.pack ? { pack: q.pack } : {}, pageFrom(q));
    return sendPage(reply, page);
  });

  app.get<{ Params: { ref: string } }>("/triggertypes/:ref", async (request) => {
    const found = await store.content.getTriggerType(request.params.ref);
    if (!found) throw new NotFoundError(`trigger type ${request.params.ref} is not registered`);
    return found;
  });

  app.get<{ Querystring: Query }>("/triggers", async (request, reply) => {
    const q = request.query;
    return sendPage(
      reply,
      await store.reactor.listTriggers(q.type ? { type: q.type } : {}, pageFrom(q)),
    );
  });

  app.get<{ Params: { id: string } }>("/triggers/:id", async (request) =>
    getTriggerByRefOrId(store, request.params.id),
  );

  app.get<{ Querystring: Query }>("/triggerinstances", async (request, reply) => {
    const q = request.query;
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
    const page = pageFrom(q);
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
        return sendPage(reply, { items: [], total: 0 });
      filter.trigger ??= only;
    }
    return sendPage(reply, await store.reactor.listInstances(filter, page));
  });

  app.get<{ Params: { id: string } }>("/triggerinstances/:id", async (request) => {
    const instance = await store.reactor.getInstance(request.params.id);
    if (!instance) throw new NotFoundError(`trigger instance ${request.params.id} does not exist`);
    return instance;
  });

  // st2 serves the same action under both names.
  for (const verb of ["re_emit", "re_send"]) {
    app.post<{ Params: { id: string } }>(`/triggerinstances/:id/${verb}`, async (request) => {
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
      return {
        message: `Trigger instance ${id} successfully re-sent.`,
        payload,
        trigger_instances: result.created,
        ...(result.traceTag ? { trace_tag: result.traceTag } : {}),
      };
    });
  }

  app.get<{ Querystring: Query }>("/timers", async (request, reply) => {
    const q = request.query;
    const type = q.timer_type ?? q.type;
    if (type && !TIMER_TRIGGER_TYPES.includes(type))
      throw new ValidationError(
        `timer type ${type} is not one of ${TIMER_TRIGGER_TYPES.join(", ")}`,
        { field: "timer_type" },
      );
    const page = pageFrom(q);
    if (type) return sendPage(reply, await store.reactor.listTriggers({ type }, page));
    const timers: TriggerDef[] = [];
    for (const t of TIMER_TRIGGER_TYPES)
      timers.push(...(await collectAll((p) => store.reactor.listTriggers({ type: t }, p))));
    const start = page.offset ?? 0;
    return sendPage(reply, {
      items: timers.slice(start, start + (page.limit ?? timers.length)),
      total: timers.length,
    });
  });

  app.get<{ Params: { ref: string } }>("/timers/:ref", async (request) => {
    const trigger = await getTriggerByRefOrId(store, request.params.ref);
    if (!TIMER_TRIGGER_TYPES.includes(trigger.type))
      throw new NotFoundError(`${request.params.ref} is a ${trigger.type} trigger, not a timer`);
    return trigger;
  });
}
