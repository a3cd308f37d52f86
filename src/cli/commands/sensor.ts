/**
 * `squall sensor list|get|enable|disable`: st2's `st2 sensor`. Enable and disable read the
 * sensor and send it back with `enabled` flipped (`PUT /api/v1/sensortypes/{ref}`), as st2
 * does; the running node starts or stops the sensor's process at once.
 */

import type { Command } from "commander";
import { type ResourceSpec, registerResourceCommands } from "../resource.ts";
import type { CliRuntime } from "../runtime.ts";

export const SENSOR: ResourceSpec = {
  kind: "sensor",
  plural: "sensors",
  path: "/api/v1/sensortypes",
  idName: "ref",
  idHelp: "sensor reference, pack.ClassName",
  columns: [
    { header: "ref", value: (s) => s.ref },
    { header: "pack", value: (s) => s.pack },
    { header: "description", value: (s) => s.description, maxWidth: 60, flex: true },
    { header: "enabled", value: (s) => s.enabled },
  ],
  /** st2's `st2 sensor get` order, then the rest. */
  attributes: [
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
  ],
  filters: [
    {
      flag: "pack",
      short: "-p",
      placeholder: "pack",
      query: "pack",
      help: "only sensors of this pack",
    },
    {
      flag: "trigger",
      placeholder: "ref",
      query: "trigger",
      help: "only sensors that emit this trigger type",
    },
  ],
  enabledFilter: true,
  emptyHint: "No sensors match. Sensors come with packs: see `squall pack register`.",
  toggleEffect: (enabled) => `its process ${enabled ? "starts" : "stops"} at once`,
};

export function registerSensorCommands(program: Command, runtime: CliRuntime): void {
  const sensor = program.command("sensor").description("Browse, enable and disable sensors.");
  registerResourceCommands(sensor, runtime, SENSOR, ["list", "get", "enable", "disable"]);
}
