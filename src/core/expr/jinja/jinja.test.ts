import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RenderError } from "../../errors.ts";
import { MinimalJinja } from "../minimal.ts";
import { TemplateSyntaxError, UnsupportedTemplateError } from "../template.ts";

const jinja = new MinimalJinja();
const ctx = {
  a: { b: [1, "x", null, true, 1.5, { k: "it's" }] },
  xs: ["p", "q"],
  n: 3,
  s: " Hi ",
  d: { x: 1, y: "two" },
  empty: [],
  flag: false,
  nothing: null,
};

const renders: Array<[string, string]> = [
  ["plain text", "plain text"],
  ["{{ n }}", "3"],
  ["{{ a.b[1] }}", "x"],
  ["{{ a['b'][0] }}", "1"],
  ["{{ a.b.0 }}", "1"],
  ["{{ a.b[-1].k }}", "it's"],
  ["{{ a.b }}", "[1, 'x', None, True, 1.5, {'k': \"it's\"}]"],
  ["{{ d }}", "{'x': 1, 'y': 'two'}"],
  ["{{ nothing }}|{{ flag }}|{{ true }}", "None|False|True"],
  ["{{ 'single' }} {{ \"double\" }} {{ 'a\\nb' }}", "single double a\nb"],
  [
    "{{ -n }} {{ n + 2 }} {{ n - 5 }} {{ n * 2 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 2 ** 3 }}",
    "-3 5 -2 6 3 2 8",
  ],
  ["{{ 'ab' * 2 }} {{ 'a' + 'b' }} {{ [1] + [2] }}", "abab ab [1, 2]"],
  ["{{ 'n=' ~ n ~ nothing }}", "n=3None"],
  ["{{ n > 2 and n < 4 }} {{ 1 < n < 3 }} {{ not flag }}", "True False True"],
  ["{{ 'p' in xs }} {{ 'z' not in xs }} {{ 'x' in d }} {{ 'i' in 'hi' }}", "True True True True"],
  ["{{ flag or 'fallback' }} {{ n and 'yes' }}", "fallback yes"],
  ["{{ 'y' if n == 3 else 'n' }}", "y"],
  ["{{ 1 == true }} {{ [1, 2] == [1, 2] }} {{ d == {'y': 'two', 'x': 1} }}", "True True True"],
  ["{{ (1, 2) }} {{ (1,) }} {{ () }}", "(1, 2) (1,) ()"],
  ["{{ 0.1 }} {{ 1.5e-7 }} {{ 12345678.5 }} {{ 1.25e-20 }}", "0.1 1.5e-07 12345678.5 1.25e-20"],
  // filters
  ["{{ missing | default('dflt') }} {{ n | d(0) }} {{ '' | default('e', true) }}", "dflt 3 e"],
  ["{{ s | upper }}|{{ s | lower }}|{{ s | trim }}|{{ 'xxhixx' | trim('x') }}", " HI | hi |Hi|hi"],
  [
    "{{ '42' | int }} {{ '42.9' | int }} {{ 'abc' | int }} {{ 'abc' | int(7) }} {{ -3.7 | int }}",
    "42 42 0 7 -3",
  ],
  [
    "{{ n | string }} {{ nothing | string }} {{ xs | length }} {{ d | count }} {{ 'héllo' | length }}",
    "3 None 2 2 5",
  ],
  ["{{ xs | join }} {{ xs | join(', ') }} {{ [1, None] | join('-') }}", "pq p, q 1-None"],
  [
    "{{ 'a-b-c' | replace('-', '+') }} {{ 'a-b-c' | replace('-', '+', 1) }} {{ 'ab' | replace('', '.') }}",
    "a+b+c a+b-c .a.b.",
  ],
  ["{{ d | to_json_string }}", '{"x": 1,"y": "two"}'],
  ["{{ d | to_json_string(indent=2, sort_keys=True) }}", '{\n  "x": 1,\n  "y": "two"\n}'],
  ["{{ d | to_json_string(separators=(',', ':')) }}", '{"x":1,"y":"two"}'],
  ["{{ {'b': 'é<', 'a': [1]} | tojson }}", '{"a": [1], "b": "\\u00e9\\u003c"}'],
  ["{{ a.b | to_complex }}", '[1, "x", null, true, 1.5, {"k": "it\'s"}]'],
  ["{{ 'say \"hi\"\n' | json_escape }}", 'say \\"hi\\"\\n'],
  ["{{ '{\"k\": [1]}' | from_json_string }}", "{'k': [1]}"],
  ["{{ nothing | use_none }}", "%*****__%NONE%__*****%"],
  // tests
  [
    "{{ missing is defined }} {{ missing is undefined }} {{ nothing is none }} {{ n is number }}",
    "False True True True",
  ],
  [
    "{{ d is mapping }} {{ n is odd }} {{ n is divisibleby 3 }} {{ n is not even }}",
    "True True True True",
  ],
  // methods
  ["{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "x=1;y=two;"],
  [
    "{{ d.keys() }} {{ d.get('x') }} {{ d.get('zz', 'no') }} {{ 'a,b' .split(',') }}",
    "['x', 'y'] 1 no ['a', 'b']",
  ],
  // blocks, trim_blocks and lstrip_blocks
  ["{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}", "mid"],
  ["{% if flag %}x{% endif %}", ""],
  [
    "{% for x in xs %}\n  {{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}\n{% endfor %}\n",
    "  1:p,  2:q",
  ],
  [
    "<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>",
    "<ul>\n  <li>p</li>\n  <li>q</li>\n</ul>",
  ],
  ["{% for x in empty %}never{% else %}none{% endfor %}", "none"],
  ["{% for c in 'ab' %}{{ c }}.{% endfor %}", "a.b."],
  ["a  {%- if true -%}  b  {%- endif -%}  c", "abc"],
  ["{{- '  x  ' -}}", "  x  "],
  ["{% set t = n * 2 %}{{ t }}", "6"],
  ["{# comment #}x{# another\n #}\ny", "xy"],
  ["{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"],
  ["line\r\nnext\n", "line\nnext"],
  // formerly refused by the minimal engine
  ["{{ 4 / 2 }} {{ 1.0 }} {{ 7 / 2 }} {{ 2 ** -1 }}", "2.0 1.0 3.5 0.5"],
  ["{{ xs[0:1] }} {{ 'hello'[::-1] }} {{ range(3) | list }}", "['p'] olleh [0, 1, 2]"],
  ["{% macro m(x, y=2) %}{{ x }}-{{ y }}{% endmacro %}{{ m(1) }} {{ m(1, y=3) }}", "1-2 1-3"],
];

const failures: Array<[string, new (...args: never[]) => Error, RegExp]> = [
  ["{{ nope }}", RenderError, /'nope' is undefined/],
  ["{{ a.c }}", RenderError, /'a\.c' is undefined/],
  ["{{ a['zz'] }}", RenderError, /'a\['zz'\]' is undefined/],
  ["{{ a.b[10] }}", RenderError, /'a\.b\[10\]' is undefined: list index out of range/],
  ["{% if nope %}x{% endif %}", RenderError, /'nope' is undefined/],
  ["{% for x in nope %}{% endfor %}", RenderError, /'nope' is undefined/],
  ["{{ nope | upper }}", RenderError, /'nope' is undefined/],
  ["{{ nope == 1 }}", RenderError, /'nope' is undefined/],
  ["{{ n + 'x' }}", RenderError, /unsupported operand type\(s\) for \+: 'int' and 'str'/],
  ["{{ n < 'x' }}", RenderError, /'<' not supported between instances of 'int' and 'str'/],
  ["{{ n | nosuch }}", RenderError, /no filter named 'nosuch'/],
  ["{% autoescape true %}{% endautoescape %}", UnsupportedTemplateError, /autoescape/],
  ["{% foo %}", TemplateSyntaxError, /unknown tag 'foo'/],
  ["{{ a. }}", TemplateSyntaxError, /attribute name/],
  ["{{ n ", TemplateSyntaxError, /unclosed variable/],
  ["{% if n %}x", TemplateSyntaxError, /expected one of elif, else, endif/],
  ["{{ n @ 2 }}", TemplateSyntaxError, /unexpected char '@'/],
];

describe("MinimalJinja.render", () => {
  for (const [source, expected] of renders) {
    it(`renders ${JSON.stringify(source)}`, () => {
      assert.equal(jinja.render(source, ctx), expected);
    });
  }
  for (const [source, cls, message] of failures) {
    it(`refuses ${JSON.stringify(source)} with ${cls.name}`, () => {
      assert.throws(
        () => jinja.render(source, ctx),
        (e: unknown) => {
          assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
          assert.match((e as Error).message, message);
          return true;
        },
      );
    });
  }
  it("does not leak loop variables or mutate the context", () => {
    const context = { xs: [1, 2] };
    assert.throws(() => jinja.render("{% for x in xs %}{% endfor %}{{ x }}", context), RenderError);
    jinja.render("{% set xs = 5 %}{{ xs }}", context);
    assert.deepEqual(context, { xs: [1, 2] });
  });
});

describe("MinimalJinja.renderValue", () => {
  const table: Array<[string, unknown]> = [
    ["{{ a.b }}", ctx.a.b],
    [" {{ n }} ", 3],
    ["{{ nothing }}", null],
    ["{{ d }}", ctx.d],
    ["n={{ n }}", "n=3"],
    ["{{ n }}{{ n }}", "33"],
    ["no template", "no template"],
  ];
  for (const [source, expected] of table) {
    it(`keeps the type of ${JSON.stringify(source)}`, () => {
      assert.deepEqual(jinja.renderValue(source, ctx), expected);
    });
  }
  it("refuses an undefined whole value", () => {
    assert.throws(() => jinja.renderValue("{{ missing }}", ctx), RenderError);
  });
});

describe("MinimalJinja.isTemplate and undeclaredVariables", () => {
  it("detects template markers like StackStorm", () => {
    assert.equal(jinja.isTemplate("a {{ b }}"), true);
    assert.equal(jinja.isTemplate("{% if x %}{% endif %}"), true);
    assert.equal(jinja.isTemplate("{ not }"), false);
  });
  it("lists free names only", () => {
    const names = jinja.undeclaredVariables(
      "{% set q = 1 %}{{ q }}{% for x in xs %}{{ x }}{{ loop.index }}{{ y.z }}{% endfor %}{{ w | default(v) }}",
    );
    assert.deepEqual([...names].sort(), ["v", "w", "xs", "y"]);
  });
  it("raises TemplateSyntaxError for invalid Jinja", () => {
    assert.throws(() => jinja.undeclaredVariables("{{ a b }}"), TemplateSyntaxError);
  });
});
