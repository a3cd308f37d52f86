/**
 * Arguments for `local-shell-script` actions, built the way StackStorm builds them
 * (`ShellRunnerMixin._get_script_args`, `action_db.get_args`, `ShellScriptAction._get_script_arguments`).
 *
 * Which parameters: only the action's own parameters (keys of the action's parameter schema that
 * are not runner parameters), as StackStorm's `_split_params` does.
 *
 * Order: keyword arguments first, then positional ones, in ascending `position`.
 *
 * Keyword arguments (no `position`), in schema order, as `<kwarg_op><name>=<value>`:
 * - null/undefined, `""` and `false` are left out; `true` becomes the bare flag `<kwarg_op><name>`;
 * - any other value is Python's `str(value)`: `5`, `1.5`, `['a', 'b']`, `{'k': 'v'}`.
 *
 * Positional arguments (with `position`), serialised by the declared `type`:
 * - `string`/`number`/`float`: the value, null → `""`; `boolean`: `"1"`/`"0"`, null → `""`;
 * - `array`/`list`: items joined with `,` (empty → `""`); `object`: JSON (empty → `""`);
 * - `null`: `""`; anything else, including `integer` and a list of types: Python `str(value)` when
 *   the value is truthy, else `""` (so an `integer` 0 becomes `""`, exactly as in StackStorm).
 * A position with no value still takes its slot (as `""`), so later positions never shift.
 *
 * Secrets (Squall differs from StackStorm here on purpose). StackStorm puts secret parameters on
 * the command line, where any local user can read them in `/proc/<pid>/cmdline` or `ps`. Squall
 * never puts a secret on argv. Instead each secret action parameter with a value is exported as
 * the environment variable `ST2_ACTION_SECRET_<NAME>`, where `<NAME>` is the parameter name in
 * upper case with every character outside `[A-Z0-9_]` replaced by `_` (`api-key` →
 * `ST2_ACTION_SECRET_API_KEY`). Its value is the text the script would have received as a
 * positional argument (see above); a null/undefined secret is not exported. A secret keyword
 * argument is left out of argv entirely; a secret positional argument keeps its slot as `""`.
 * A script reads it as e.g. `password="${ST2_ACTION_SECRET_PASSWORD:-$1}"`.
 *
 * Quoting: `quoteShell` is Python's `shlex.quote`; `toCommandString` joins quoted words into the
 * single command line StackStorm would have run (for display and `bash -c`).
 *
 * Pure logic: no node: imports, so this can move to core.
 */

import type { ParameterSchema, ParameterSpec } from "../../core/content/model.ts";
import { ValidationError } from "../../core/errors.ts";
import { pyStr, pyTruthy } from "../../core/expr/pyvalue.ts";

export const SECRET_ENV_PREFIX = "ST2_ACTION_SECRET_";

export interface ScriptArgsInput {
  /** Rendered runner + action parameters. */
  parameters: Record<string, unknown>;
  /** The action's parameter schema (`ActionDef.parameters`). */
  actionSchema: ParameterSchema;
  /** Names of runner parameters; they never become script arguments. */
  runnerParameterNames: Iterable<string>;
  /** Names of parameters marked `secret`. */
  secretNames: ReadonlySet<string>;
  /** Prefix for keyword arguments (`kwarg_op`), StackStorm's default is `--`. */
  kwargOp: string;
}

export interface ScriptArgs {
  /** Arguments after the script path, unquoted (one element per argv entry). */
  argv: string[];
  /** `ST2_ACTION_SECRET_<NAME>` → value, for the secrets left off argv. */
  secretEnv: Record<string, string>;
}

export function buildScriptArgs(input: ScriptArgsInput): ScriptArgs {
  const runnerNames = new Set(input.runnerParameterNames);
  const secretEnv: Record<string, string> = {};
  const secretEnvOwner = new Map<string, string>();
  const named: string[] = [];
  const byPosition = new Map<number, string>();

  for (const [name, spec] of Object.entries(input.actionSchema)) {
    const value = runnerNames.has(name) ? undefined : input.parameters[name];
    const isSecret = input.secretNames.has(name);
    if (isSecret && !runnerNames.has(name) && value !== null && value !== undefined) {
      const envName = secretEnvName(name);
      const other = secretEnvOwner.get(envName);
      if (other !== undefined) {
        throw new ValidationError(
          `secret parameters "${other}" and "${name}" both map to environment variable ${envName}`,
          { field: `parameters.${name}` },
        );
      }
      secretEnvOwner.set(envName, name);
      secretEnv[envName] = serializePositional(spec.type, value);
    }

    const position = positionOf(spec, name);
    if (position !== null) {
      // A later parameter with the same position replaces an earlier one, as in StackStorm.
      byPosition.set(position, isSecret ? "" : serializePositional(spec.type, value));
      continue;
    }
    if (runnerNames.has(name) || isSecret) continue;
    const arg = serializeNamed(input.kwargOp + name, value);
    if (arg !== null) named.push(arg);
  }

  const positional = [...byPosition.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return { argv: [...named, ...positional], secretEnv };
}

function positionOf(spec: ParameterSpec, name: string): number | null {
  const position = spec.position;
  if (position === undefined || position === null) return null;
  if (typeof position !== "number" || !Number.isInteger(position)) {
    throw new ValidationError(`parameter "${name}" has a non-integer position`, {
      field: `parameters.${name}.position`,
    });
  }
  return position;
}

/** One keyword argument, or null when StackStorm would leave it out. */
export function serializeNamed(flag: string, value: unknown): string | null {
  if (value === null || value === undefined || value === "" || value === false) return null;
  if (value === true) return flag;
  return `${flag}=${pyStr(value)}`;
}

/** A positional argument's text for the declared parameter type. */
export function serializePositional(type: ParameterSpec["type"], value: unknown): string {
  switch (type) {
    case "string":
    case "number":
    case "float":
      return value === null || value === undefined ? "" : pyStr(value);
    case "boolean":
      return value === null || value === undefined ? "" : pyTruthy(value) ? "1" : "0";
    case "array":
    case "list":
      return Array.isArray(value) && value.length > 0 ? value.map(pyStr).join(",") : "";
    case "object":
      return pyTruthy(value) ? JSON.stringify(value) : "";
    case "null":
      return "";
    default:
      return pyTruthy(value) ? pyStr(value) : "";
  }
}

export function secretEnvName(name: string): string {
  return SECRET_ENV_PREFIX + name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

const UNSAFE = /[^A-Za-z0-9_@%+=:,./-]/;

/** Python's `shlex.quote`: one shell word that expands back to exactly `value`. */
export function quoteShell(value: string): string {
  if (value === "") return "''";
  if (!UNSAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** Quote each word and join them with spaces. */
export function toCommandString(words: readonly string[]): string {
  return words.map(quoteShell).join(" ");
}
