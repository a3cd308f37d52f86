import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RenderError } from "../../errors.ts";
import { JinjaEngine } from "./engine.ts";

const jinja = new JinjaEngine();
const ctx = { x: "s", d: { k: 1 }, l: [1], n: 1 };

/** Each must fail with a RenderError: nothing of the host may be reached or printed. */
const escapes = [
  "{{ ''.__class__ }}",
  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
  "{{ cycler.__init__.__globals__ }}",
  "{{ joiner.__init__.__globals__.os }}",
  "{{ lipsum.__globals__ }}",
  "{{ range.__self__ }}",
  "{{ x.constructor }}",
  "{{ x.constructor.constructor('return process')() }}",
  "{{ d.constructor }}",
  "{{ d.__proto__ }}",
  "{{ d['__proto__'] }}",
  "{{ d['constructor'] }}",
  "{{ l.constructor }}",
  "{{ l['map'] }}",
  "{{ n.toString() }}",
  "{{ x.toString }}",
  "{{ x.valueOf() }}",
  "{{ d.hasOwnProperty('k') }}",
  "{{ x | constructor }}",
  "{{ x is constructor }}",
  "{{ x | __proto__ }}",
  "{{ self }}",
  "{{ config }}",
  "{{ request }}",
  "{{ x.format.__globals__ }}",
  "{{ '{0.__class__}'.format(x) }}",
  "{{ '{0.constructor}'.format(x) }}",
  "{{ namespace.__init__ }}",
  "{{ loop }}",
  "{{ range.constructor }}",
  "{% for c in ''.__class__.__base__.__subclasses__() %}{% endfor %}",
  "{% set ns = namespace() %}{% set ns.__class__ = 1 %}{{ ns.__class__ }}",
];

describe("sandbox", () => {
  for (const source of escapes) {
    it(`blocks ${source}`, () => {
      assert.throws(
        () => jinja.render(source, ctx),
        (e: unknown) => e instanceof RenderError,
      );
    });
  }
  it("never mutates Object.prototype through dict building", () => {
    const out = jinja.renderValue("{{ dict(__proto__={'polluted': 1}) }}", {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out as object), ["__proto__"]);
    jinja.render("{% set q = {'__proto__': {'polluted': 2}} %}{{ q }}", {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
