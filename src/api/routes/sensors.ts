/**
 * StackStorm's sensor types: list, get, and PUT with `enabled` (`st2 sensor enable|disable`
 * reads the sensor and sends it back with the flag flipped). The sensor container is told at
 * once so it starts or stops the sensor.
 */

import type { FastifyInstance } from "fastify";
import type { SensorDef } from "../../core/content/model.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "../context.ts";
import { type JsonSchema, listOf, listQuery, responses } from "../openapi/schemas.ts";
import { listOptions, pageInMemory, sendPage } from "../paging.ts";
import { collectAll, parseBool, type Query } from "./reactor-query.ts";
import { switchableRoutes } from "./switchable.ts";

/** st2's SensorTypeAPI; only `enabled` may differ from the stored sensor. */
const SENSOR_BODY: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", maxLength: 1024 },
    uid: { type: "string", maxLength: 1024 },
    ref: { type: "string", maxLength: 1024 },
    name: { type: "string", maxLength: 255 },
    pack: { type: "string", maxLength: 255 },
    description: { type: "string" },
    class_name: { type: "string" },
    artifact_uri: { type: "string" },
    entry_point: { type: "string" },
    enabled: { type: "boolean" },
    poll_interval: { type: ["number", "null"] },
    trigger_types: { type: "array" },
    metadata_file: { type: "string" },
  },
  required: ["enabled"],
  additionalProperties: false,
};

export function presentSensor(sensor: SensorDef): Record<string, unknown> {
  return { id: sensor.ref, ...sensor };
}

async function requireSensor(ctx: ApiContext, ref: string): Promise<SensorDef> {
  const sensor = await ctx.store.content.getSensor(ref);
  if (!sensor) throw new NotFoundError(`sensor ${ref} is not registered`);
  return sensor;
}

export function sensorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const content = ctx.store.content;

  app.get<{ Querystring: Query }>(
    "/sensortypes",
    {
      schema: {
        description: "Lists sensor types.",
        querystring: listQuery(["id", "name", "pack", "trigger", "enabled"]),
        response: responses(200, listOf("Sensor types.")),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options = listOptions(q, { sortable: ["ref", "name", "pack", "enabled"] });
      const enabled =
        q.enabled === undefined || q.enabled === "" ? undefined : parseBool(q.enabled, "enabled");
      const ids = q.id ? new Set(q.id.split(",")) : undefined;
      const all = (await collectAll((p) => content.listSensors(q.pack ? { pack: q.pack } : {}, p)))
        .filter(
          (s) =>
            (!ids || ids.has(s.ref)) &&
            (!q.name || s.name === q.name) &&
            (!q.trigger || s.trigger_types.includes(q.trigger)) &&
            (enabled === undefined || s.enabled === enabled),
        )
        .map(presentSensor);
      return sendPage(reply, pageInMemory(all, options), options.page.limit);
    },
  );

  switchableRoutes(app, {
    path: "/sensortypes",
    key: "ref",
    kind: "sensor type",
    noun: "sensor",
    body: SENSOR_BODY,
    describePut: "Enables or disables a sensor; only `enabled` may change.",
    require: (ref) => requireSensor(ctx, ref),
    setEnabled: async (sensor, enabled) => {
      const updated = await content.setSensorEnabled(sensor.ref, enabled);
      if (!updated) throw new NotFoundError(`sensor ${sensor.ref} is not registered`);
      await ctx.onSensorChange?.(sensor.ref);
      return updated;
    },
    present: presentSensor,
  });
}
