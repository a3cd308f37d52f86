/**
 * The shape checks of Orquesta's JSON schemas for `version: 1.0` workflows, with jsonschema-style
 * messages. Each error carries the path in the definition (`tasks.t1.next[0].do`) and the path in
 * the schema (`properties.tasks.patternProperties.^\w+$.properties.next.items.properties.do`).
 */

import { isDict } from "./data.ts";

export interface InspectionError {
  message: string;
  spec_path: string | null;
  schema_path: string | null;
  type?: "yaql" | "jinja" | null;
  expression?: string;
}

type Check = (value: unknown, specPath: string, schemaPath: string, out: InspectionError[]) => void;

function repr(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  return JSON.stringify(v);
}

function error(out: InspectionError[], message: string, spec: string, schema: string): void {
  out.push({ message, spec_path: spec || null, schema_path: schema || null });
}

function join(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

const nonEmptyString: Check = (v, sp, sc, out) => {
  if (typeof v !== "string") error(out, `${repr(v)} is not of type 'string'`, sp, `${sc}.type`);
  else if (v === "") error(out, `'' is too short`, sp, `${sc}.minLength`);
};

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;
const stringOrPositiveInt: Check = (v, sp, sc, out) => {
  if (!(typeof v === "string" && v !== "") && !positiveInt(v) && v !== 0) {
    error(out, `${repr(v)} is not valid under any of the given schemas`, sp, `${sc}.oneOf`);
  }
};

function oneKeyDictList(v: unknown, sp: string, sc: string, out: InspectionError[]) {
  if (!Array.isArray(v)) return error(out, `${repr(v)} is not of type 'array'`, sp, `${sc}.type`);
  v.forEach((item, i) => {
    if (!(isDict(item) && Object.keys(item).length === 1) && typeof item !== "string") {
      error(out, `${repr(item)} is not a single key dictionary`, join(sp, i), `${sc}.items`);
    }
  });
}

function object(
  props: Record<string, Check>,
  required: string[] = [],
): (v: unknown, sp: string, sc: string, out: InspectionError[]) => void {
  return (v, sp, sc, out) => {
    if (!isDict(v)) return error(out, `${repr(v)} is not of type 'object'`, sp, `${sc}.type`);
    for (const r of required) {
      if (!(r in v)) error(out, `'${r}' is a required property`, sp, join(sc, "required"));
    }
    const extra = Object.keys(v).filter((k) => !(k in props));
    if (extra.length > 0) {
      const list = extra.map((k) => `'${k}'`).join(", ");
      const verb = extra.length === 1 ? "was" : "were";
      error(
        out,
        `Additional properties are not allowed (${list} ${verb} unexpected)`,
        sp,
        join(sc, "additionalProperties"),
      );
    }
    for (const [k, check] of Object.entries(props)) {
      if (k in v && v[k] !== undefined) check(v[k], join(sp, k), join(sc, `properties.${k}`), out);
    }
  };
}

const transition = object({
  when: nonEmptyString,
  publish: (v, sp, sc, out) => {
    if (typeof v === "string") nonEmptyString(v, sp, sc, out);
    else oneKeyDictList(v, sp, sc, out);
  },
  do: (v, sp, sc, out) => {
    if (typeof v === "string") nonEmptyString(v, sp, sc, out);
    else if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      error(out, `${repr(v)} is not valid under any of the given schemas`, sp, `${sc}.oneOf`);
    } else if (new Set(v).size !== v.length) {
      error(out, `${repr(v)} has non-unique elements`, sp, `${sc}.uniqueItems`);
    }
  },
});

const items = object({ items: nonEmptyString, concurrency: stringOrPositiveInt }, ["items"]);

const task = object({
  delay: stringOrPositiveInt,
  join: (v, sp, sc, out) => {
    if (v !== "all" && !positiveInt(v)) {
      error(out, `${repr(v)} is not valid under any of the given schemas`, sp, `${sc}.oneOf`);
    }
  },
  with: (v, sp, sc, out) => (typeof v === "string" ? nonEmptyString : items)(v, sp, sc, out),
  action: nonEmptyString,
  input: (v, sp, sc, out) => {
    if (typeof v === "string") nonEmptyString(v, sp, sc, out);
    else if (!isDict(v) || Object.keys(v).length === 0) {
      error(out, `${repr(v)} is not valid under any of the given schemas`, sp, `${sc}.oneOf`);
    }
  },
  retry: object({ when: nonEmptyString, count: stringOrPositiveInt, delay: stringOrPositiveInt }, [
    "count",
  ]),
  next: (v, sp, sc, out) => {
    if (!Array.isArray(v)) return error(out, `${repr(v)} is not of type 'array'`, sp, `${sc}.type`);
    v.forEach((t, i) => {
      transition(t, join(sp, i), `${sc}.items`, out);
    });
  },
});

const tasks: Check = (v, sp, sc, out) => {
  if (!isDict(v)) return error(out, `${repr(v)} is not of type 'object'`, sp, `${sc}.type`);
  if (Object.keys(v).length === 0) error(out, "{} does not have enough properties", sp, sc);
  for (const [name, t] of Object.entries(v)) {
    if (!/^\w+$/.test(name)) {
      error(
        out,
        `'${name}' does not match any of the regexes: '^\\w+$'`,
        sp,
        `${sc}.additionalProperties`,
      );
      continue;
    }
    task(t, join(sp, name), `${sc}.patternProperties.^\\w+$`, out);
  }
};

const workflow = object(
  {
    version: (v, sp, sc, out) => {
      if (v !== "1.0" && v !== 1)
        error(out, `${repr(v)} is not one of ['1.0', 1.0]`, sp, `${sc}.enum`);
    },
    description: nonEmptyString,
    input: oneKeyDictList,
    vars: oneKeyDictList,
    output: oneKeyDictList,
    tasks,
  },
  ["version", "tasks"],
);

export function checkSyntax(raw: Record<string, unknown>): InspectionError[] {
  const out: InspectionError[] = [];
  workflow(raw, "", "", out);
  return out;
}
