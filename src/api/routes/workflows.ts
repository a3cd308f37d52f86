/**
 * `POST /workflows/inspect` (st2api's WorkflowInspectionController): the body is an Orquesta
 * workflow definition; the answer is 200 with the list of its errors (empty when there are none),
 * each with its category as `type`, the task it is in and its path. st2client posts the file as
 * text, so YAML and JSON text are both taken, as is a JSON object.
 */

import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { flattenInspection, inspectWorkflow } from "../../core/workflow/orquesta/inspect.ts";

/** The `st2` context StackStorm's runner gives every workflow, so `ctx().st2` is not flagged. */
const APP_CONTEXT = ["st2"];

const YAML_TYPES = ["application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml"];

export function workflowRoutes(app: FastifyInstance): void {
  // Encapsulated so the YAML body parser applies to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => {
      done(null, body);
    });
    scope.post("/workflows/inspect", async (request, reply) => {
      const body: unknown = request.body;
      if (typeof body !== "string" && (typeof body !== "object" || body === null)) {
        throw new ValidationError("the body must be a workflow definition (YAML or JSON)", {
          field: "body",
        });
      }
      if (Array.isArray(body)) {
        throw new ValidationError("the workflow definition must be a mapping, not a list", {
          field: "body",
        });
      }
      const result = inspectWorkflow(body as string | Record<string, unknown>, {
        appContext: APP_CONTEXT,
      });
      return reply.code(200).type("application/json").send(flattenInspection(result));
    });
  });
}
