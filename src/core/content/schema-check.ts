/**
 * One Ajv instance holding the content schemas, and the translation of Ajv's errors into
 * dotted field paths (`parameters.cmd.type`) that pack authors can read.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { ALL_SCHEMAS } from "./schemas.ts";

export interface SchemaIssue {
  /** Dotted path of the offending field; empty for the document itself. */
  path: Array<string | number>;
  message: string;
}

let shared: Ajv | null = null;

/** The Ajv instance with every content schema registered (created on first use). */
export function contentAjv(): Ajv {
  if (!shared) {
    // strict off: pack authors' schemas (parameters_schema, output_schema…) use keywords and
    // Draft-4 forms that strict mode would refuse to compile. Formats are not checked because
    // StackStorm validates without a format checker; `format: email` on a field is advisory.
    shared = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    for (const schema of ALL_SCHEMAS) shared.addSchema(schema);
  }
  return shared;
}

const compiled = new Map<string, ValidateFunction>();

export function schemaFor(id: string): ValidateFunction {
  let fn = compiled.get(id);
  if (!fn) {
    fn = contentAjv().getSchema(id);
    if (!fn) throw new Error(`schema ${id} is not registered`);
    compiled.set(id, fn);
  }
  return fn;
}

export function checkAgainst(id: string, value: unknown): SchemaIssue[] {
  const validate = schemaFor(id);
  if (validate(value)) return [];
  return toIssues(validate.errors ?? []);
}

export function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Ajv reports every failed branch of an anyOf. When some error lies *inside* the value (it had
 * one branch's shape but a nested field was wrong), the nested errors are the useful ones;
 * otherwise a single "matches no allowed form" stands for the branch-level complaints.
 * (Matching branches by schemaPath does not work across $ref, so this goes by instancePath.)
 */
function pruneAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const childKeywords = new Set(["required", "additionalProperties"]);
  let out = [...errors];
  for (const anyOf of errors.filter((e) => e.keyword === "anyOf")) {
    const at = anyOf.instancePath;
    const deeper = out.some((e) => e.instancePath.startsWith(`${at}/`));
    out = out.filter(
      (e) =>
        e.instancePath !== at ||
        childKeywords.has(e.keyword) ||
        (e.keyword === "anyOf" && e === anyOf && !deeper),
    );
  }
  return out;
}

export function toIssues(errors: readonly ErrorObject[]): SchemaIssue[] {
  const byPath = new Map<string, SchemaIssue>();
  for (const err of pruneAnyOf(errors)) {
    const path = pointerToPath(err.instancePath);
    let message = err.message ?? "is invalid";
    const params = err.params as Record<string, unknown>;
    if (err.keyword === "required") {
      path.push(String(params.missingProperty));
      message = "is required";
    } else if (err.keyword === "additionalProperties") {
      path.push(String(params.additionalProperty));
      message = "is not an allowed field";
    } else if (err.keyword === "enum") {
      message = `must be one of ${JSON.stringify(params.allowedValues)}`;
    } else if (err.keyword === "anyOf") {
      message = "does not match any allowed form";
    } else if (err.keyword === "if") {
      continue;
    }
    const key = `${path.join(".")}\u0000${message}`;
    if (!byPath.has(key)) byPath.set(key, { path, message });
  }
  return [...byPath.values()];
}
