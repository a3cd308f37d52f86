/**
 * Expression speed: renders/s of a typical parameter template (Jinja, with filters and a
 * condition) and evaluations/s of a typical YAQL query (where + select over 20 items). Both
 * use the parse cache, as the engine does. Prints one line per figure.
 *
 *   node --import tsx bench/expressions.ts [seconds-per-figure]
 */

import { JinjaEngine } from "../src/core/expr/jinja/engine.ts";
import { evaluateYaql } from "../src/core/expr/yaql/index.ts";

const seconds = Number(process.argv[2] ?? 1);

function rate(label: string, fn: () => unknown): void {
  for (let i = 0; i < 1000; i++) fn(); // warm the caches and the JIT
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  console.log(`${label}=${Math.round(n / ((performance.now() - t0) / 1000))}`);
}

const jinja = new JinjaEngine();
const template =
  "{% if trigger.body.severity > 2 %}page{% else %}ticket{% endif %} {{ trigger.body.host | upper }}: " +
  "{{ trigger.body.checks | join(', ') }} ({{ trigger.body.count | default(0) }})";
const context = {
  trigger: { body: { severity: 3, host: "web-01", checks: ["disk", "cpu", "mem"], count: 7 } },
};
rate("jinja.parameter_template_renders_per_s", () => jinja.render(template, context));

const items = Array.from({ length: 20 }, (_, i) => ({
  name: `host-${i}`,
  load: i % 7,
  up: i % 3 !== 0,
}));
rate("yaql.where_select_evals_per_s", () =>
  evaluateYaql("$.where($.up and $.load > 2).select($.name)", items, { mode: "default" }),
);
