import type { FastifyInstance } from "fastify";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import { pageFrom, sendPage } from "../paging.ts";

/** Read access to registered content, and pack registration. */
export function contentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Record<string, string> }>("/actions", async (request, reply) => {
    const { pack } = request.query;
    return sendPage(
      reply,
      await content.listActions(pack ? { pack } : {}, pageFrom(request.query)),
    );
  });

  app.get<{ Params: { ref: string } }>("/actions/:ref", async (request) => {
    const action = await content.getAction(request.params.ref);
    if (!action) throw new NotFoundError(`action ${request.params.ref} is not registered`);
    return action;
  });

  app.get<{ Querystring: Record<string, string> }>("/packs", async (request, reply) =>
    sendPage(reply, await content.listPacks(pageFrom(request.query))),
  );

  app.get<{ Params: { ref: string } }>("/packs/:ref", async (request) => {
    const pack = await content.getPack(request.params.ref);
    if (!pack) throw new NotFoundError(`pack ${request.params.ref} is not registered`);
    return pack;
  });

  app.post<{ Body: { packs?: unknown } | null }>("/packs/register", async (request) => {
    const packs = request.body?.packs ?? [];
    if (!Array.isArray(packs) || packs.some((p) => typeof p !== "string"))
      throw new ValidationError("`packs` must be a list of pack names or paths", {
        field: "packs",
      });
    return ctx.registerPacks(packs as string[]);
  });

  app.get<{ Querystring: Record<string, string> }>("/runnertypes", async (request, reply) =>
    sendPage(reply, await content.listRunnerTypes(pageFrom(request.query))),
  );

  app.get<{ Params: { name: string } }>("/runnertypes/:name", async (request) => {
    const runner = await content.getRunnerType(request.params.name);
    if (!runner) throw new NotFoundError(`runner ${request.params.name} is not registered`);
    return runner;
  });
}
