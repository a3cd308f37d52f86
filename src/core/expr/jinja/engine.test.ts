import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RenderError } from "../../errors.ts";
import { PyFloat } from "../python/number.ts";
import { JinjaEngine } from "./engine.ts";
import { TemplateLimitError } from "./runtime.ts";

const jinja = new JinjaEngine({ decryptKv: (s) => `plain(${s})` });
const ctx = {
  users: [
    { name: "bob", age: 30, tags: ["a"] },
    { name: "Al", age: 25, tags: [] },
    { name: "cy", age: 30, tags: ["b", "c"] },
  ],
  d: { b: 2, a: 1 },
  s: "Hello World",
  n: 7,
  f: 2.5,
  html: "<b>x & 'y'</b>",
  path: "/a/b/c.txt",
};

const renders: Array<[string, string]> = [
  // operators
  [
    "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 10 / 4 }} {{ 1 + 1.0 }}",
    "3 -4 1 1024 2.5 2.0",
  ],
  ["{{ '%s-%05.1f' % ('a', f) }} {{ '%(x)s' % {'x': 1} }} {{ 'n=%d' % n }}", "a-002.5 1 n=7"],
  ["{{ 'b' ~ 1 ~ none }} {{ 3 in [1, 3] }} {{ 'x' not in 'abc' }}", "b1None True True"],
  ["{{ s[0:5] }} {{ s[-5:] }} {{ [1,2,3,4][::2] }} {{ s[::-1][:3] }}", "Hello World [1, 3] dlr"],
  ["{{ (1, 2) + (3,) }} {{ [1] * 3 }} {{ {'a': 1}['a'] }}", "(1, 2, 3) [1, 1, 1] 1"],
  ["{{ 'yes' if n > 5 else 'no' }} {{ n is odd and n is not even }}", "yes True"],
  // methods
  [
    "{{ s.upper() }} {{ s.lower().split() }} {{ s.replace('l', 'L', 1) }}",
    "HELLO WORLD ['hello', 'world'] HeLlo World",
  ],
  ["{{ '{} is {:>4}'.format('n', n) }} {{ '{0}{name}'.format(1, name='x') }}", "n is    7 1x"],
  [
    "{{ s.startswith(('He', 'x')) }} {{ ' a '.strip() }}|{{ 'a,b'.rsplit(',', 1) }}",
    "True a|['a', 'b']",
  ],
  [
    "{% set l = [] %}{% set _ = l.append(1) %}{{ l }} {{ d.get('c', 0) }} {{ d.items() | list }}",
    "[1] 0 [('b', 2), ('a', 1)]",
  ],
  // statements
  [
    "{% for u in users if u.age > 26 %}{{ loop.index }}/{{ loop.length }}:{{ u.name }} {% endfor %}",
    "1/2:bob 2/2:cy ",
  ],
  [
    "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% if not loop.last %},{% endif %}{% endfor %}",
    "3,7",
  ],
  ["{% for x in [] %}x{% else %}empty{% endfor %}", "empty"],
  [
    "{% for x in [1,2,3] %}{{ loop.cycle('a', 'b') }}{{ loop.previtem is defined }}{% endfor %}",
    "aFalsebTrueaTrue",
  ],
  [
    "{% set ns = namespace(total=0) %}{% for u in users %}{% set ns.total = ns.total + u.age %}{% endfor %}{{ ns.total }}",
    "85",
  ],
  ["{% set x %}inner {{ n }}{% endset %}{{ x | upper }}", "INNER 7"],
  [
    "{% macro tag(name, v='x') %}<{{ name }}>{{ v }}{{ caller() if caller is defined else '' }}</{{ name }}>{% endmacro %}{{ tag('b') }}",
    "<b>x</b>",
  ],
  [
    "{% macro w() %}[{{ caller('z') }}]{% endmacro %}{% call(v) w() %}got {{ v }}{% endcall %}",
    "[got z]",
  ],
  [
    "{% macro fact(k) %}{{ 1 if k <= 1 else k * fact(k - 1) | int }}{% endmacro %}{{ fact(5) }}",
    "120",
  ],
  ["{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}", "3"],
  ["{% filter upper %}abc {{ n }}{% endfilter %}", "ABC 7"],
  [
    "{% for i in [[1, [2]], [3]] recursive %}{% if i is iterable %}({{ loop(i) }}){% else %}{{ i }}{% endif %}{% endfor %}",
    "(1(2))(3)",
  ],
  ["a\n  {% if true %}\n  b\n  {% endif %}\nc", "a\n  b\nc"],
  ["{%- if true %} x {% endif -%} ", " x "],
  // built-in filters
  [
    "{{ users | map(attribute='name') | join(',') }} {{ users | sum(attribute='age') }}",
    "bob,Al,cy 85",
  ],
  [
    "{{ users | selectattr('age', 'equalto', 30) | map(attribute='name') | list }}",
    "['bob', 'cy']",
  ],
  ["{{ users | rejectattr('tags') | map(attribute='name') | first }}", "Al"],
  [
    "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ users | sort(attribute='name') | map(attribute='name') | join }}",
    "[1, 2, 3] ['A', 'b', 'c'] Albobcy",
  ],
  [
    "{{ d | dictsort }} {{ d | dictsort(by='value', reverse=true) }}",
    "[('a', 1), ('b', 2)] [('b', 2), ('a', 1)]",
  ],
  [
    "{% for k, g in users | groupby('age') %}{{ k }}:{{ g | map(attribute='name') | join('+') }};{% endfor %}",
    "25:Al;30:bob+cy;",
  ],
  [
    "{{ [1, 2, 1, 1.0, True] | unique | list }} {{ [4, 9, 1] | min }} {{ ['a', 'B'] | max }}",
    "[1, 2] 1 B",
  ],
  [
    "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | slice(2) | list }}",
    "[[1, 2], [3, 4], [5]] [[1, 2], [3]]",
  ],
  [
    "{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ -3 | abs }}",
    "2.0 3.14 3.0 3",
  ],
  [
    "{{ '3.9' | float }} {{ 'x' | float }} {{ '0x1A' | int(0, 16) }} {{ '12' | int + 1 }}",
    "3.9 0.0 26 13",
  ],
  ["{{ html | e }} {{ html | striptags }}", "&lt;b&gt;x &amp; &#39;y&#39;&lt;/b&gt; x & 'y'"],
  [
    "{{ {'k': html} | tojson }}",
    '{"k": "\\u003cb\\u003ex \\u0026 \\u0027y\\u0027\\u003c/b\\u003e"}',
  ],
  [
    "{{ 'hello world foo' | truncate(9, leeway=0) }} {{ 'a b c' | wordcount }} {{ 'x' | center(5) }}|",
    "hello... 3   x  |",
  ],
  [
    "{{ 1000000 | filesizeformat }} {{ 1024 | filesizeformat(true) }} {{ 'a b&c' | urlencode }}",
    "1.0 MB 1.0 KiB a%20b%26c",
  ],
  [
    "{{ 'line1\nline2' | indent(2) }}|{{ '%s=%s' | format('a', 1) }}|{{ 'ab' | list }}",
    "line1\n  line2|a=1|['a', 'b']",
  ],
  [
    "{{ {'a': 1, 'b': None} | xmlattr }}|{{ 'hello  world' | title }}|{{ 'x' | reverse }}",
    ' a="1"|Hello  World|x',
  ],
  ["{{ none | default('d') }} {{ '' | default('d', true) }} {{ missing | d('m') }}", "None d m"],
  // tests
  [
    "{{ 1.0 is float }} {{ 1 is integer }} {{ 'a' is string }} {{ d is mapping }} {{ range is callable }}",
    "True True True True True",
  ],
  [
    "{{ 3 is in [1, 3] }} {{ 2 is divisibleby(2) }} {{ 5 is gt 3 }} {{ 'upper' is filter }}",
    "True True True True",
  ],
  // StackStorm filters
  ["{{ 'abc123' | regex_replace('(?P<w>[a-z]+)(\\\\d+)', '\\\\2-\\\\g<w>') }}", "123-abc"],
  [
    "{{ 'Foo\\n' | regex_match('foo$', ignorecase=True) }} {{ 'a1b22' | regex_substring('\\\\d+', 1) }}",
    "True 22",
  ],
  [
    "{{ 'x' | regex_search('\\\\Ax\\\\Z') }} {{ path | basename }} {{ path | dirname }}",
    "True c.txt /a/b",
  ],
  ["{{ d | to_yaml_string }}", "a: 1\nb: 2\n"],
  ["{{ 'k: [1, yes]' | from_yaml_string }}", "{'k': [1, True]}"],
  [
    "{{ {'a': [{'b': 1}, {'b': 2}]} | jsonpath_query('$.a[*].b') }} {{ {} | jsonpath_query('x') }}",
    "[1, 2] None",
  ],
  [
    "{{ '1.2.3' | version_bump_minor }} {{ '1.2.3-rc.1' | version_compare('1.2.3') }} {{ '2.0.0' | version_match('>=1.9.9') }}",
    "1.3.0 -1 True",
  ],
  [
    "{{ 90061 | to_human_time_from_seconds }} {{ 'secret' | decrypt_kv }}",
    "1d1h1m1s plain(secret)",
  ],
];

describe("JinjaEngine renders like Jinja2 in StackStorm's environment", () => {
  for (const [source, expected] of renders) {
    it(JSON.stringify(source), () => assert.equal(jinja.render(source, ctx), expected));
  }
});

describe("JinjaEngine.renderValue keeps types", () => {
  it("keeps int, float, list and dict", () => {
    assert.equal(jinja.renderValue("{{ n }}", ctx), 7);
    assert.ok(jinja.renderValue("{{ 4 / 2 }}", ctx) instanceof PyFloat);
    assert.deepEqual(
      jinja.renderValue("{{ users | map(attribute='age') | list }}", ctx),
      [30, 25, 30],
    );
    assert.equal(jinja.renderValue("n={{ n }}", ctx), "n=7");
  });
});

describe("StrictUndefined and errors", () => {
  const failures: Array<[string, RegExp]> = [
    ["{{ nope }}", /'nope' is undefined/],
    ["{{ d.zz.y }}", /'d\.zz' is undefined/],
    ["{{ users[9] }}", /list index out of range/],
    ["{% for x in nope %}{% endfor %}", /'nope' is undefined/],
    ["{{ nope ~ 'x' }}", /'nope' is undefined/],
    ["{{ [] | first | upper }}", /sequence was empty/],
    ["{{ 1 / 0 }}", /division by zero/],
    ["{{ 'a' < 1 }}", /not supported between instances of 'str' and 'int'/],
    ["{{ n() }}", /'int' object is not callable/],
    ["{{ 'x' | regex_match('(?i:x)') }}", /re\.error/],
    ["{% include 'other' %}", /template loader/],
  ];
  for (const [source, message] of failures) {
    it(`refuses ${JSON.stringify(source)}`, () => {
      assert.throws(
        () => jinja.render(source, ctx),
        (e: unknown) => e instanceof RenderError && message.test(e.message),
      );
    });
  }
  it("needs a decrypt function for decrypt_kv", () => {
    assert.throws(
      () => new JinjaEngine().render("{{ 'x' | decrypt_kv }}", {}),
      /no datastore decrypt/,
    );
  });
});

describe("bounded time and memory", () => {
  const small = new JinjaEngine({ limits: { maxLoopIterations: 1000, maxOutputLength: 10_000 } });
  const cases: Array<[string, RegExp]> = [
    ["{% for i in range(10**9) %}{% endfor %}", /Range too big|too large/],
    [
      "{% for i in range(999) %}{% for j in range(999) %}{% endfor %}{% endfor %}",
      /loop iterations/,
    ],
    ["{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}", /nested deeper|recursion/],
    ["{{ 'x' * 100000 }}{{ 'y' * 100000 }}", /output exceeds/],
    ["{{ 'x' * 10**12 }}", /repeated sequence|too large/],
    ["{{ 10 ** 10 ** 10 }}", /too large/],
    [`{{ ${"(".repeat(500)}1${")".repeat(500)} }}`, /nested deeper|too deeply/],
    [`${"{% if true %}".repeat(300)}`, /nested deeper/],
    [
      "{% set l = [1] %}{% for x in l %}{% set _ = l.append(x) %}{% endfor %}",
      /loop iterations|too large/,
    ],
  ];
  for (const [source, message] of cases) {
    it(`stops ${JSON.stringify(source.slice(0, 60))}`, () => {
      assert.throws(
        () => small.render(source, {}),
        (e: unknown) => e instanceof RenderError && message.test(e.message),
      );
    });
  }
  it("refuses over-long templates", () => {
    const tiny = new JinjaEngine({ limits: { maxSourceLength: 10 } });
    assert.throws(() => tiny.render("x".repeat(11), {}), TemplateLimitError);
  });
});

describe("parse once", () => {
  it("reuses a cached parse and bounds the cache", () => {
    const engine = new JinjaEngine({ cacheSize: 2 });
    const a = engine.parse("{{ a }}");
    assert.equal(engine.parse("{{ a }}"), a);
    engine.parse("{{ b }}");
    engine.parse("{{ c }}");
    assert.notEqual(engine.parse("{{ a }}"), a);
  });
});
