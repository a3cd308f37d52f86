/** Runner and action definitions shaped like StackStorm's local-shell-cmd and core.echo. */

import type { ActionDef, ParameterSchema, RunnerType } from "../content/model.ts";

export function runner(params: ParameterSchema = {}): RunnerType {
  return {
    name: "local-shell-cmd",
    description: "",
    enabled: true,
    runner_parameters: {
      cmd: { type: "string", description: "Arbitrary command" },
      cwd: { type: "string" },
      env: { type: "object" },
      kwarg_op: { type: "string", default: "--" },
      sudo: { type: "boolean", default: false },
      sudo_password: { type: "string", secret: true, required: false },
      timeout: { type: "integer", default: 60 },
      ...params,
    },
  };
}

export function action(params: ParameterSchema, ref = "core.echo"): ActionDef {
  const [pack = "core", name = "echo"] = ref.split(".");
  return {
    ref,
    uid: `action:${pack}:${name}`,
    name,
    pack,
    description: "",
    enabled: true,
    runner_type: "local-shell-cmd",
    entry_point: "",
    parameters: params,
    metadata_file: `actions/${name}.yaml`,
  };
}

export const echo = action({
  message: { type: "string", required: true },
  cmd: { immutable: true, default: 'echo "{{message}}"' },
  kwarg_op: { immutable: true },
});
