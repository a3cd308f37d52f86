/**
 * How to start one sensor's process: Python sensors through Squall's shim
 * (`python -m squall_shim.sensor_wrapper`), TypeScript/JavaScript sensors through the SDK's
 * host (`node src/sdk/host.mjs sensor`). The command line names only the pack and class (for
 * `ps`); config and credentials go in the init message on stdin.
 */

import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SensorDef } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import type { SensorInit } from "../../sdk/protocol.ts";
import { childEnv } from "../runners/process-group.ts";

export const SDK_HOST_PATH = fileURLToPath(new URL("../../sdk/host.mjs", import.meta.url));
export const PYTHON_SHIM_PATH = fileURLToPath(new URL("../../../python/st2shim", import.meta.url));

const PYTHON_EXTENSIONS = new Set([".py"]);
const NODE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

export type SensorLanguage = "python" | "node";

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  init: SensorInit;
}

export function sensorLanguage(sensor: SensorDef): SensorLanguage {
  const ext = extname(sensor.entry_point).toLowerCase();
  if (PYTHON_EXTENSIONS.has(ext)) return "python";
  if (NODE_EXTENSIONS.has(ext)) return "node";
  throw new ValidationError(
    `sensor ${sensor.ref}: entry_point "${sensor.entry_point}" must be a .py, .ts, .mts, .js or .mjs file`,
    { file: sensor.metadata_file, field: "entry_point" },
  );
}

export interface LaunchInputs {
  sensor: SensorDef;
  packPath: string;
  config: Record<string, unknown>;
  apiUrl: string;
  token: string;
  python: string;
  node: string;
  shimPath: string;
  baseEnv: Record<string, string | undefined>;
}

export function launchSpec(inputs: LaunchInputs): LaunchSpec {
  const { sensor } = inputs;
  const filePath = resolve(inputs.packPath, "sensors", sensor.entry_point);
  const init: SensorInit = {
    type: "init",
    kind: "sensor",
    pack: sensor.pack,
    class_name: sensor.class_name,
    file_path: filePath,
    trigger_types: sensor.trigger_types,
    config: inputs.config,
    api_url: inputs.apiUrl,
    auth_token: inputs.token,
  };
  if (sensor.poll_interval !== undefined) init.poll_interval = sensor.poll_interval;
  const env = childEnv(inputs.baseEnv);
  env.ST2_API_URL = inputs.apiUrl;
  const names = [`--pack=${sensor.pack}`, `--class-name=${sensor.class_name}`];
  if (sensorLanguage(sensor) === "python") {
    const libs = [inputs.shimPath];
    if (env.PYTHONPATH) libs.push(env.PYTHONPATH);
    env.PYTHONPATH = libs.join(":");
    env.PYTHONUNBUFFERED = "1";
    return {
      command: inputs.python,
      args: ["-u", "-m", "squall_shim.sensor_wrapper", ...names],
      env,
      cwd: inputs.packPath,
      init,
    };
  }
  return {
    command: inputs.node,
    args: [SDK_HOST_PATH, "sensor", ...names],
    env,
    cwd: inputs.packPath,
    init,
  };
}
