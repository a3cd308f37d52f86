/**
 * `squall sensor list|get|enable|disable`: st2's `st2 sensor`. Enable and disable read the
 * sensor and send it back with `enabled` flipped (`PUT /api/v1/sensortypes/{ref}`), as st2
 * does; the running node starts or stops the sensor's process at once.
 */

import type { Command } from "commander";
import type { SensorDef } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

/** A sensor as the API returns it: the stored sensor plus `id`. */
export type SensorView = SensorDef & { id?: string };

const SENSOR_COLUMNS: ReadonlyArray<TableColumn<SensorView>> = [
  { header: "ref", value: (s) => s.ref },
  { header: "pack", value: (s) => s.pack },
  { header: "description", value: (s) => s.description, maxWidth: 60, flex: true },
  { header: "enabled", value: (s) => s.enabled },
];

/** st2's `st2 sensor get` order, then the rest. */
const SENSOR_ATTRIBUTES = [
  "id",
  "uid",
  "ref",
  "pack",
  "name",
  "description",
  "enabled",
  "class_name",
  "entry_point",
  "poll_interval",
  "trigger_types",
  "metadata_file",
];

interface SensorListOptions {
  pack?: string;
  enabled?: boolean;
  disabled?: boolean;
  trigger?: string;
}

/** The query for `sensor list`; --enabled and --disabled exclude each other. */
export function sensorListQuery(options: SensorListOptions): Record<string, string | undefined> {
  if (options.enabled && options.disabled)
    throw new ValidationError("use --enabled or --disabled, not both", { field: "--enabled" });
  const enabled = options.enabled ? "true" : options.disabled ? "false" : undefined;
  return { pack: options.pack, enabled, trigger: options.trigger };
}

/** What `sensor enable|disable` sends back: the sensor as read, with `enabled` changed. */
export function toggledSensor(sensor: SensorView, enabled: boolean): Record<string, unknown> {
  return { ...sensor, enabled };
}

function sensorPath(ref: string): string {
  return `/api/v1/sensortypes/${encodeURIComponent(ref)}`;
}

function getSensor(ctx: CommandContext, ref: string): Promise<SensorView> {
  return ctx.client.getOne<SensorView>("sensor", ref, sensorPath(ref));
}

function printSensor(ctx: CommandContext, sensor: SensorView): void {
  const present = SENSOR_ATTRIBUTES.filter((attr) => attr in sensor);
  ctx.print(renderData(ctx.format, sensor) ?? renderRecord(sensor, present));
}

export function registerSensorCommands(program: Command, runtime: CliRuntime): void {
  const sensor = program.command("sensor").description("Browse, enable and disable sensors.");
  const run = (command: Command, body: (ctx: CommandContext) => Promise<number>) =>
    runCommand(runtime, command, body);

  sensor
    .command("list")
    .description("List sensors.")
    .option("-p, --pack <pack>", "only sensors of this pack")
    .option("--enabled", "only enabled sensors")
    .option("--disabled", "only disabled sensors")
    .option("--trigger <ref>", "only sensors that emit this trigger type")
    .action(async (options: SensorListOptions, command: Command) => {
      await run(command, async (ctx) => {
        const sensors = await ctx.client.listAll<SensorView>(
          "/api/v1/sensortypes",
          sensorListQuery(options),
        );
        const data = renderData(ctx.format, sensors);
        if (data !== undefined) ctx.print(data);
        else if (sensors.length === 0)
          ctx.note("No sensors match. Sensors come with packs: see `squall pack register`.");
        else ctx.print(renderTable(SENSOR_COLUMNS, sensors, ctx.io.columns));
        return 0;
      });
    });

  sensor
    .command("get")
    .description("Show one sensor.")
    .argument("<ref>", "sensor reference, pack.ClassName")
    .action(async (ref: string, _options: unknown, command: Command) => {
      await run(command, async (ctx) => {
        printSensor(ctx, await getSensor(ctx, ref));
        return 0;
      });
    });

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    sensor
      .command(name)
      .description(
        `${enabled ? "Enable" : "Disable"} a sensor; its process ${enabled ? "starts" : "stops"} at once.`,
      )
      .argument("<ref>", "sensor reference, pack.ClassName")
      .action(async (ref: string, _options: unknown, command: Command) => {
        await run(command, async (ctx) => {
          const current = await getSensor(ctx, ref);
          const res = await ctx.client.request(
            "PUT",
            sensorPath(current.ref),
            {},
            toggledSensor(current, enabled),
          );
          printSensor(ctx, res.json as SensorView);
          return 0;
        });
      });
  }
}
