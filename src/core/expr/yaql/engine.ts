/**
 * YAQL for Squall. No maintained JavaScript implementation of YAQL exists, so this is a complete
 * one written against Python yaql 3.x as StackStorm and Orquesta use it (openstack/yaql:
 * yaql/language/*, yaql/standard_library/*, yaql/legacy.py; StackStorm/orquesta:
 * orquesta/expressions/yql.py), checked value for value by the conformance corpus in
 * test/conformance/yaql.
 *
 * Modes (see test/conformance/yaql/README.md):
 *  - "default": yaql's test-suite engine: delegates on, 100-item iterator limit;
 *  - "legacy": yaql.legacy (YAQL 0.2 syntax and functions, dicts iterable, tuples kept);
 *  - "legacy_context_default_engine": the default parser with the legacy function set;
 *  - "orquesta": Orquesta's engine: no delegates, no limits, workflow data read with ctx().
 */

import type { Node } from "./ast.ts";
import { Context, type EngineSettings, type YaqlMode } from "./context.ts";
import { fromPlain, toPlain } from "./convert.ts";
import { YaqlResourceException } from "./errors.ts";
import { evaluate } from "./evaluator.ts";
import { parseYaql } from "./parser.ts";
import { type FunctionDef, Registry } from "./registry.ts";
import { collectionFunctions } from "./stdlib/collections.ts";
import { datetimeFunctions } from "./stdlib/datetime.ts";
import { LEGACY_METHOD_NAMES, legacyFunctions } from "./stdlib/legacy.ts";
import { mathFunctions } from "./stdlib/math.ts";
import { operatorFunctions } from "./stdlib/operators.ts";
import { type OrquestaCallbacks, orquestaFunctions } from "./stdlib/orquesta.ts";
import { queryFunctions } from "./stdlib/queries.ts";
import { regexFunctions } from "./stdlib/regex.ts";
import { sequenceFunctions } from "./stdlib/sequences.ts";
import { st2Functions } from "./stdlib/st2.ts";
import { stringFunctions } from "./stdlib/strings.ts";
import { delegateFunctions, systemFunctions } from "./stdlib/system.ts";
import { YDict } from "./values.ts";

export type { YaqlMode } from "./context.ts";
export type { OrquestaCallbacks } from "./stdlib/orquesta.ts";

export interface YaqlOptions {
  mode?: YaqlMode;
  /** Extra functions, tried before the library's overloads of the same name. */
  functions?: readonly FunctionDef[];
  /**
   * Orquesta mode: the workflow context read by ctx() (with its internal keys __current_item,
   * __current_task, __state). Other modes: extra variables, visible as `$name`.
   */
  context?: Record<string, unknown>;
  /** st2kv() and task() lookups (Orquesta mode). */
  callbacks?: OrquestaCallbacks;
  /**
   * Overrides the mode's iterator limit (yaql.limitIterators). Modes without one (Orquesta) still
   * stop a collection at HARD_ITERATION_LIMIT items so a runaway expression ends in an error.
   */
  limitIterators?: number;
}

const STANDARD: readonly FunctionDef[] = [
  ...operatorFunctions,
  ...systemFunctions,
  ...mathFunctions,
  ...stringFunctions,
  ...collectionFunctions,
  ...queryFunctions,
  ...sequenceFunctions,
  ...regexFunctions,
  ...datetimeFunctions,
];

interface ModeSetup {
  settings: Omit<EngineSettings, "expression">;
  registry: Registry;
}

function legacyRegistry(base: Registry): Registry {
  const reg = new Registry(base).remove("range");
  for (const name of LEGACY_METHOD_NAMES) {
    const defs = base.get(name) ?? [];
    reg.remove(name).add(defs.map((d) => ({ ...d, kind: "ext" as const })));
  }
  return reg.add(legacyFunctions);
}

function buildModes(): Record<YaqlMode, ModeSetup> {
  const base = new Registry().add(STANDARD);
  const withDelegates = new Registry(base).add(delegateFunctions);
  const legacy = legacyRegistry(withDelegates);
  const orquesta = new Registry(base).add(st2Functions);
  const common = { allowDelegates: true, limitIterators: 100, convertTuplesToLists: true };
  return {
    default: {
      settings: {
        ...common,
        mode: "default",
        legacySyntax: false,
        legacyLibrary: false,
        iterableDicts: false,
      },
      registry: withDelegates,
    },
    legacy: {
      settings: {
        ...common,
        mode: "legacy",
        legacySyntax: true,
        legacyLibrary: true,
        iterableDicts: true,
        convertTuplesToLists: false,
      },
      registry: legacy,
    },
    legacy_context_default_engine: {
      settings: {
        ...common,
        mode: "legacy_context_default_engine",
        legacySyntax: false,
        legacyLibrary: true,
        iterableDicts: false,
      },
      registry: legacy,
    },
    orquesta: {
      settings: {
        mode: "orquesta",
        legacySyntax: false,
        legacyLibrary: false,
        iterableDicts: false,
        allowDelegates: false,
        limitIterators: -1,
        convertTuplesToLists: true,
      },
      registry: orquesta,
    },
  };
}

let modes: Record<YaqlMode, ModeSetup> | null = null;
function modeSetup(mode: YaqlMode): ModeSetup {
  modes ??= buildModes();
  return modes[mode];
}

/** A parsed expression: parse once, evaluate many times. */
export interface CompiledYaql {
  readonly expression: string;
  readonly mode: YaqlMode;
  evaluate(data?: unknown, options?: Omit<YaqlOptions, "mode">): unknown;
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, CompiledYaql>();

let plainOrquesta: Registry | null = null;

function registryFor(mode: YaqlMode, options: Omit<YaqlOptions, "mode">): Registry {
  if (mode === "orquesta" && !options.callbacks && !options.functions?.length) {
    plainOrquesta ??= registryFor(mode, { callbacks: {} });
    return plainOrquesta;
  }
  const base = modeSetup(mode).registry;
  const extra: FunctionDef[] = [];
  if (mode === "orquesta") extra.push(...orquestaFunctions(options.callbacks ?? {}));
  extra.push(...(options.functions ?? []));
  if (extra.length === 0) return base;
  // Injected functions shadow library overloads of the same name: put them first.
  const reg = new Registry(base);
  for (const name of new Set(extra.map((f) => f.name))) {
    const own = extra.filter((f) => f.name === name);
    const lib = base.get(name) ?? [];
    reg.remove(name).add([...own, ...lib]);
  }
  return reg;
}

function run(
  expression: string,
  mode: YaqlMode,
  tree: Node,
  data: unknown,
  options: Omit<YaqlOptions, "mode">,
): unknown {
  const setup = modeSetup(mode);
  const registry = registryFor(mode, options);
  const settings: EngineSettings = {
    ...setup.settings,
    expression,
    limitIterators: options.limitIterators ?? setup.settings.limitIterators,
  };
  const root = new Context(null, settings, (name) => registry.get(name));
  if (mode === "orquesta") {
    const vars = fromPlain(options.context ?? {});
    root.set("__vars", vars);
    for (const key of ["__state", "__current_task", "__current_item"]) {
      const v = vars instanceof YDict ? vars.get(key) : undefined;
      root.set(key, v ?? null);
    }
    root.set("$", null);
  } else {
    for (const [k, v] of Object.entries(options.context ?? {})) root.set(`$${k}`, fromPlain(v));
    const value = fromPlain(data);
    root.set("$", value);
    if (mode === "default") root.set("$data", value);
  }
  const ctx = root.child();
  try {
    const result = evaluate(tree, ctx);
    return toPlain(result, ctx, { keepTuples: !settings.convertTuplesToLists });
  } catch (err) {
    // Runaway recursion (a `def` calling itself forever) or a string past JS's size limit.
    if (err instanceof RangeError) {
      throw new YaqlResourceException(
        `expression '${expression}' exhausted resources: ${err.message}`,
      );
    }
    throw err;
  }
}

export function compileYaql(expression: string, mode: YaqlMode = "default"): CompiledYaql {
  const key = `${mode}\u0000${expression}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const tree = parseYaql(expression, modeSetup(mode).settings.legacySyntax);
  const compiled: CompiledYaql = {
    expression,
    mode,
    evaluate: (data, options = {}) => run(expression, mode, tree, data, options),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

/** Evaluates one YAQL expression (no `<% %>` delimiters); `data` is `$`. */
export function evaluateYaql(
  expression: string,
  data?: unknown,
  options: YaqlOptions = {},
): unknown {
  const mode = options.mode ?? "default";
  return compileYaql(expression, mode).evaluate(data, options);
}
