/** `squall runner list|get|enable|disable`: st2's `st2 runner` (enable/disable via PUT). */

import type { Command } from "commander";
import { type ResourceSpec, registerResourceCommands } from "../resource.ts";
import type { CliRuntime } from "../runtime.ts";

export const RUNNER: ResourceSpec = {
  kind: "runner type",
  plural: "runner types",
  path: "/api/v1/runnertypes",
  idName: "name",
  columns: [
    { header: "name", value: (r) => r.name },
    { header: "enabled", value: (r) => r.enabled },
    { header: "description", value: (r) => r.description, maxWidth: 60, flex: true },
  ],
  attributes: ["id", "uid", "name", "description", "enabled", "runner_module", "runner_parameters"],
};

export function registerRunnerCommands(program: Command, runtime: CliRuntime): void {
  const runner = program.command("runner").description("Browse, enable and disable runner types.");
  registerResourceCommands(runner, runtime, RUNNER, ["list", "get", "enable", "disable"]);
}
