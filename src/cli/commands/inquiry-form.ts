/**
 * Asks a person for an inquiry's response one schema property at a time, as `st2 inquiry
 * respond` does without `-r`: booleans take y/n, numbers and integers are parsed, enums are
 * chosen by number, arrays are comma-separated, objects and lists of objects are asked field
 * by field. A refused answer is explained and asked again, a few times at most.
 */

import { SquallError } from "../../core/errors.ts";

export interface Prompter {
  /** False when nobody can be asked (stdin is not a terminal). */
  readonly interactive: boolean;
  /** Shows `question` and resolves to the line typed (without the newline). */
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  /** A line for the person: a field's description, choices, why an answer was refused. */
  say(text: string): void;
  close(): void;
}

/** The person gave up (too many refused answers) or the input ended. */
export class DialogAbortedError extends SquallError {
  override readonly code: string = "dialog_aborted";
}

type Spec = Record<string, unknown>;
type Parsed = { value: unknown } | { omit: true } | { error: string };

const MAX_ATTEMPTS = 5;
const MAX_ITEMS = 100;
const POSITIVE = new Set(["1", "y", "yes", "true"]);
const NEGATIVE = new Set(["0", "n", "no", "nope", "nah", "false"]);

function isSpec(value: unknown): value is Spec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeOf(spec: Spec): string | undefined {
  const t = spec.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === "string" && x !== "null");
  return undefined;
}

function itemsOf(spec: Spec): Spec {
  return isSpec(spec.items) ? spec.items : {};
}

function parseScalar(type: string | undefined, text: string): Parsed {
  if (type === "boolean") {
    const t = text.toLowerCase();
    if (POSITIVE.has(t)) return { value: true };
    if (NEGATIVE.has(t)) return { value: false };
    return { error: `"${text}" does not look like a boolean; answer y or n` };
  }
  if (type === "integer") {
    if (!/^[-+]?\d+$/.test(text)) return { error: `"${text}" is not a whole number` };
    return { value: Number(text) };
  }
  if (type === "number") {
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) return { error: `"${text}" is not a number` };
    return { value: n };
  }
  if (type === undefined || type === "string") return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: `"${text}" is not valid JSON` };
  }
}

/** How one field is asked: the label suffix and how a non-empty answer is read. */
function readerFor(spec: Spec): { suffix: string; secret: boolean; parse: (t: string) => Parsed } {
  const type = typeOf(spec);
  const choices =
    (values: unknown[]) =>
    (text: string): Parsed => {
      const indexes = text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const picked: unknown[] = [];
      for (const i of indexes) {
        if (!/^\d+$/.test(i) || Number(i) >= values.length)
          return { error: `"${i}" is not one of the listed numbers (0-${values.length - 1})` };
        picked.push(values[Number(i)]);
      }
      return { value: picked };
    };
  if (Array.isArray(spec.enum)) {
    const pick = choices(spec.enum);
    return {
      suffix: ` (choose 0-${spec.enum.length - 1})`,
      secret: false,
      parse: (t) => {
        const r = pick(t);
        if ("value" in r && Array.isArray(r.value)) {
          if (r.value.length !== 1) return { error: "choose exactly one number" };
          return { value: r.value[0] };
        }
        return r;
      },
    };
  }
  if (type === "array") {
    const items = itemsOf(spec);
    if (Array.isArray(items.enum))
      return { suffix: " (comma-separated numbers)", secret: false, parse: choices(items.enum) };
    const itemType = typeOf(items);
    // Lists of lists (or of untyped objects) cannot be typed as comma-separated words.
    if (itemType !== undefined && !["string", "integer", "number", "boolean"].includes(itemType))
      return { suffix: " (JSON)", secret: false, parse: (t) => parseScalar("array", t) };
    return {
      suffix: " (comma-separated list)",
      secret: false,
      parse: (t) => {
        const out: unknown[] = [];
        for (const part of t.split(",").map((s) => s.trim())) {
          if (part === "") continue;
          const r = parseScalar(itemType ?? "string", part);
          if ("error" in r) return r;
          if ("value" in r) out.push(r.value);
        }
        return { value: out };
      },
    };
  }
  const label: Record<string, string> = {
    boolean: " (boolean)",
    integer: " (integer)",
    number: " (number)",
  };
  const secret = spec.secret === true;
  const suffix =
    label[type ?? ""] ?? (secret ? " (secret)" : type && type !== "string" ? " (JSON)" : "");
  return { suffix, secret, parse: (t) => parseScalar(type, t) };
}

function defaultText(spec: Spec): string {
  if (!("default" in spec)) return "";
  const d = spec.default;
  if (typeof d === "boolean") return ` [${d ? "y" : "n"}]`;
  if (Array.isArray(spec.enum)) return ` [${spec.enum.indexOf(d)}]`;
  if (Array.isArray(d)) return ` [${d.join(",")}]`;
  return ` [${typeof d === "object" ? JSON.stringify(d) : String(d)}]`;
}

async function askField(prompter: Prompter, label: string, spec: Spec): Promise<Parsed> {
  const reader = readerFor(spec);
  if (typeof spec.description === "string") prompter.say(`${label}: ${spec.description}`);
  const values = Array.isArray(spec.enum) ? spec.enum : itemsOf(spec).enum;
  if (Array.isArray(values))
    for (const [i, v] of values.entries()) prompter.say(`  ${i} - ${String(v)}`);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const text = (
      await prompter.ask(`${label}${reader.suffix}${defaultText(spec)}: `, {
        secret: reader.secret,
      })
    ).trim();
    let parsed: Parsed;
    if (text === "") {
      if ("default" in spec) parsed = { value: structuredClone(spec.default) };
      else if (spec.required === true) parsed = { error: "an answer is required" };
      else parsed = { omit: true };
    } else {
      parsed = reader.parse(text);
    }
    if (!("error" in parsed)) return parsed;
    prompter.say(`  ${parsed.error}`);
  }
  throw new DialogAbortedError(`no acceptable answer for ${label} after ${MAX_ATTEMPTS} tries`);
}

async function yes(prompter: Prompter, question: string): Promise<boolean> {
  const r = await askField(prompter, question, { type: "boolean", default: false });
  return "value" in r && r.value === true;
}

/** Asks for every property of `properties` (a schema's `properties`), nested ones prefixed. */
export async function askResponse(
  properties: Record<string, unknown>,
  prompter: Prompter,
  prefix = "",
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const spec = isSpec(raw) ? raw : {};
    const label = `${prefix}${name}`;
    const type = typeOf(spec);
    const items = itemsOf(spec);
    if (type === "object" && isSpec(spec.properties)) {
      result[name] = await askResponse(spec.properties, prompter, `${label}.`);
    } else if (type === "array" && typeOf(items) === "object" && isSpec(items.properties)) {
      const list: unknown[] = [];
      do {
        list.push(await askResponse(items.properties, prompter, `${label}[${list.length}].`));
      } while (list.length < MAX_ITEMS && (await yes(prompter, `Add another item to ${label}?`)));
      result[name] = list;
    } else {
      const answer = await askField(prompter, label, spec);
      if ("value" in answer) result[name] = answer.value;
    }
  }
  return result;
}
