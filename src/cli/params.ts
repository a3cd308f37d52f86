/**
 * Turns `squall run` arguments (`name=value`, `@name=file`, bare words) into the parameters object
 * sent to the API, cast by the types the action and its runner declare. The rules follow st2's
 * CLI so existing runbooks and muscle memory keep working; where st2 silently guessed (a boolean
 * of "1", an object pair without "=", a single-number array turning into a number list only when
 * it had one element) Squall reports the bad value instead.
 */

import { mergeSchemas } from "../core/content/merge-parameters.ts";
import type { ActionDef, ParameterSpec, RunnerType } from "../core/content/model.ts";
import { ValidationError } from "../core/errors.ts";

/** Reads a file for `@name=path`; injected so the rules can be tested without a disk. */
export type FileReader = (path: string) => string;

/** Runner parameters overlaid by the action's, with the same merge the server validates with. */
export function mergedParameterSpecs(
  action: ActionDef,
  runner: RunnerType | undefined,
): Record<string, ParameterSpec> {
  return mergeSchemas(runner?.runner_parameters ?? {}, action.parameters ?? {});
}

export function parseRunArguments(
  args: readonly string[],
  action: ActionDef,
  runner: RunnerType | undefined,
  readFile: FileReader,
): Record<string, unknown> {
  const specs = mergedParameterSpecs(action, runner);
  const result: Record<string, unknown> = {};
  let httpFileName: string | undefined;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    if (eq === -1) {
      // st2 treats everything from the first bare word on as one shell command: `st2 run
      // core.local ls -la` runs "ls -la".
      if (!("cmd" in specs)) {
        throw new ValidationError(
          `"${arg}" is not of the form name=value, and ${action.ref} has no "cmd" parameter to take it.`,
          { field: arg },
        );
      }
      result.cmd = args.slice(i).join(" ");
      break;
    }
    let name = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    const fromFile = name.startsWith("@");
    if (fromFile) name = name.slice(1);
    if (name === "") {
      throw new ValidationError(`"${arg}" has no parameter name before "="`, { field: arg });
    }
    const value = fromFile ? readParameterFile(name, raw, readFile) : raw;

    // core.http ships a file as its request body; st2 keeps this special case, so do we.
    if (fromFile && action.ref === "core.http") {
      result.file_content = value;
      httpFileName = baseName(raw);
      continue;
    }

    const spec = specs[name];
    const cast = spec === undefined ? value : castParameter(name, value, spec);
    // An array parameter may be given several times and the values add up (st2 does the same).
    const previous = result[name];
    result[name] = Array.isArray(previous) && Array.isArray(cast) ? [...previous, ...cast] : cast;
  }

  if (httpFileName !== undefined) {
    if (!("method" in result)) result.method = "POST";
    if (!("file_name" in result)) result.file_name = httpFileName;
  }

  const unknown = Object.keys(result).filter((name) => !(name in specs));
  if (unknown.length > 0) {
    const accepted = Object.keys(specs).sort();
    throw new ValidationError(
      `${action.ref} has no parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}. ` +
        (accepted.length > 0 ? `It accepts: ${accepted.join(", ")}.` : "It takes no parameters.") +
        ` See \`squall action get ${action.ref}\`.`,
      { field: `parameters.${unknown[0]}` },
    );
  }
  return result;
}

/** Casts one textual value to the type its spec declares. Exported for the unit tests. */
export function castParameter(name: string, value: string, spec: ParameterSpec): unknown {
  const type = singleType(spec.type);
  switch (type) {
    case "integer":
      return castInteger(name, value);
    case "number":
      return castNumber(name, value);
    case "boolean":
      return castBoolean(name, value);
    case "object":
      return castObject(name, value);
    case "array":
      return castArray(name, value, spec.items);
    default:
      return value;
  }
}

/** `type: [string, "null"]` casts as string; a real union is left as text for the server. */
function singleType(type: ParameterSpec["type"]): string | undefined {
  if (typeof type === "string") return type;
  if (!Array.isArray(type)) return undefined;
  const concrete = type.filter((t) => t !== "null");
  return concrete.length === 1 ? concrete[0] : undefined;
}

function castInteger(name: string, value: string): number {
  const text = value.trim();
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw bad(name, value, "an integer");
  }
  return n;
}

function castNumber(name: string, value: string): number {
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw bad(name, value, "a number");
  const n = Number(text);
  if (!Number.isFinite(n)) throw bad(name, value, "a finite number");
  return n;
}

function castBoolean(name: string, value: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  throw new ValidationError(
    `Invalid value "${value}" for boolean parameter "${name}". Valid values are: true, false.`,
    { field: `parameters.${name}` },
  );
}

/** JSON when it looks like JSON, otherwise st2's `key1=val1,key2=val2` shorthand. */
function castObject(name: string, value: string): Record<string, unknown> {
  if (value.trimStart().startsWith("{")) {
    const parsed = parseJson(name, value);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw bad(name, value, "a JSON object");
    }
    return parsed as Record<string, unknown>;
  }
  const result: Record<string, unknown> = {};
  if (value.trim() === "") return result;
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new ValidationError(
        `Parameter "${name}" expects an object as JSON or key=value pairs separated by commas; "${pair}" is not key=value.`,
        { field: `parameters.${name}` },
      );
    }
    result[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return result;
}

/** A JSON list when it starts with "[", otherwise comma-separated items cast by `items.type`. */
function castArray(name: string, value: string, items: ParameterSpec["items"]): unknown[] {
  if (value.trimStart().startsWith("[")) {
    const parsed = parseJson(name, value);
    if (!Array.isArray(parsed)) throw bad(name, value, "a JSON list");
    return parsed;
  }
  if (value.trim() === "") return [];
  const itemSpec: ParameterSpec = items !== undefined && isSpec(items) ? items : {};
  return value.split(",").map((item, i) => {
    const text = item.trim();
    return itemSpec.type === undefined ? text : castParameter(`${name}[${i}]`, text, itemSpec);
  });
}

function isSpec(value: Record<string, unknown>): value is ParameterSpec {
  const type = value.type;
  return (
    type === undefined ||
    typeof type === "string" ||
    (Array.isArray(type) && type.every((t) => typeof t === "string"))
  );
}

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new ValidationError(
      `Parameter "${name}" is not valid JSON (${err instanceof Error ? err.message : String(err)}): ${value}`,
      { field: `parameters.${name}` },
    );
  }
}

function readParameterFile(name: string, path: string, readFile: FileReader): string {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EISDIR"
          ? "it is a directory"
          : err instanceof Error
            ? err.message
            : String(err);
    throw new ValidationError(`Cannot read file "${path}" for parameter "${name}": ${why}.`, {
      file: path,
      field: `parameters.${name}`,
    });
  }
}

function bad(name: string, value: string, expected: string): ValidationError {
  return new ValidationError(`Parameter "${name}" expects ${expected}, got "${value}".`, {
    field: `parameters.${name}`,
  });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
