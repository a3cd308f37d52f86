/**
 * The JSONPath subset of jsonpath-rw that StackStorm's `jsonpath_query` sees in practice:
 * `$`, `.name`, `['name']`, `[n]`, `[*]`, `*`, `..name` and `[a,b]` unions.
 */

import { pyValueError } from "../../python/errors.ts";
import { isPlainObject } from "../../python/value.ts";

type Step =
  | { kind: "field"; names: string[] }
  | { kind: "index"; indexes: number[] }
  | { kind: "wild" }
  | { kind: "descend"; name: string | null };

function parsePath(query: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const q = query.trim();
  if (q.startsWith("$")) i = 1;
  const readName = (): string => {
    const m = /^(?:"([^"]*)"|'([^']*)'|([A-Za-z_@][\w@-]*|\*))/.exec(q.slice(i));
    if (!m) return pyValueError(`Parse error in jsonpath ${JSON.stringify(query)} at ${i}`);
    i += m[0].length;
    return m[1] ?? m[2] ?? m[3] ?? "";
  };
  let first = i === 0;
  while (i < q.length) {
    if (q.startsWith("..", i)) {
      i += 2;
      const name = readName();
      steps.push({ kind: "descend", name: name === "*" ? null : name });
    } else if (q[i] === "." || first) {
      if (q[i] === ".") i++;
      const name = readName();
      steps.push(name === "*" ? { kind: "wild" } : { kind: "field", names: [name] });
    } else if (q[i] === "[") {
      const end = q.indexOf("]", i);
      if (end < 0) pyValueError(`Parse error in jsonpath ${JSON.stringify(query)}: missing ]`);
      const body = q.slice(i + 1, end).trim();
      i = end + 1;
      if (body === "*") steps.push({ kind: "wild" });
      else if (/^-?\d+(\s*,\s*-?\d+)*$/.test(body)) {
        steps.push({ kind: "index", indexes: body.split(",").map((s) => Number(s.trim())) });
      } else {
        const names = body.split(",").map((s) => s.trim().replace(/^['"]|['"]$/g, ""));
        steps.push({ kind: "field", names });
      }
    } else pyValueError(`Parse error in jsonpath ${JSON.stringify(query)} at ${i}`);
    first = false;
  }
  return steps;
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isPlainObject(v)) return Object.values(v);
  return [];
}

function descend(v: unknown, name: string | null, out: unknown[], depth = 0): void {
  if (depth > 200) return;
  if (isPlainObject(v)) {
    if (name === null) out.push(...Object.values(v));
    else if (Object.hasOwn(v, name)) out.push(v[name]);
  }
  for (const c of children(v)) descend(c, name, out, depth + 1);
}

/** The values the path selects, in document order. */
export function jsonPathQuery(value: unknown, query: string): unknown[] {
  let cur: unknown[] = [value];
  for (const step of parsePath(query)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.kind === "field") {
        for (const n of step.names) if (isPlainObject(v) && Object.hasOwn(v, n)) next.push(v[n]);
      } else if (step.kind === "index") {
        if (!Array.isArray(v)) continue;
        for (const n of step.indexes) {
          const idx = n < 0 ? v.length + n : n;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (step.kind === "wild") next.push(...children(v));
      else descend(v, step.name, next);
    }
    cur = next;
  }
  return cur;
}
