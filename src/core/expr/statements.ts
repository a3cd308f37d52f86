/** Statement-level parsing: `{{ }}` prints and `if`/`for`/`set` blocks over the lexer's segments. */

import type { Expr, Stmt } from "./ast.ts";
import { type Segment, segment } from "./lexer.ts";
import { ExprParser } from "./parser.ts";
import { TemplateSyntaxError, UnsupportedTemplateError } from "./template.ts";

const KNOWN_UNSUPPORTED_TAGS = new Set([
  "macro",
  "endmacro",
  "call",
  "endcall",
  "filter",
  "endfilter",
  "block",
  "endblock",
  "extends",
  "include",
  "import",
  "from",
  "with",
  "endwith",
  "autoescape",
  "endautoescape",
  "endset",
  "do",
  "break",
  "continue",
]);

type Frame = { tag: string; segs: Segment[]; i: number };

function tagName(source: string): string {
  return /^\s*([A-Za-z_]\w*)/.exec(source)?.[1] ?? "";
}

/** Parses a whole template into statements. */
export function parseTemplate(source: string): Stmt[] {
  const frame: Frame = { tag: "", segs: segment(source), i: 0 };
  const body = parseBody(frame, []);
  if (body.stop !== null) throw new TemplateSyntaxError(`unexpected '${body.stop}' tag`);
  return body.stmts;
}

function parseBody(
  frame: Frame,
  stops: string[],
): { stmts: Stmt[]; stop: string | null; parser: ExprParser | null } {
  const stmts: Stmt[] = [];
  while (frame.i < frame.segs.length) {
    const seg = frame.segs[frame.i++];
    if (seg === undefined) break;
    if (seg.kind === "text") {
      stmts.push({ type: "text", text: seg.text });
      continue;
    }
    const p = ExprParser.of(seg.source);
    if (seg.kind === "var") {
      const expr = p.parseExpression();
      p.expectEnd();
      stmts.push({ type: "print", expr });
      continue;
    }
    const name = tagName(seg.source);
    p.next();
    if (stops.includes(name)) return { stmts, stop: name, parser: p };
    if (name === "if") stmts.push(parseIf(frame, p));
    else if (name === "for") stmts.push(parseFor(frame, p));
    else if (name === "set") {
      const targets = p.parseTargets();
      if (!p.is("op", "="))
        throw new UnsupportedTemplateError("block {% set %} is not supported yet");
      p.next();
      const value = p.parseExpression();
      p.expectEnd();
      stmts.push({ type: "set", targets, value });
    } else if (KNOWN_UNSUPPORTED_TAGS.has(name)) {
      throw new UnsupportedTemplateError(`{% ${name} %} is not supported yet`);
    } else {
      const expected = stops.length > 0 ? `; expected one of ${stops.join(", ")}` : "";
      throw new TemplateSyntaxError(`encountered unknown tag '${name}'${expected}`);
    }
  }
  if (stops.length > 0) {
    throw new TemplateSyntaxError(
      `unexpected end of template; expected one of ${stops.join(", ")}`,
    );
  }
  return { stmts, stop: null, parser: null };
}

function parseIf(frame: Frame, first: ExprParser): Stmt {
  const branches: Array<{ test: Expr; body: Stmt[] }> = [];
  let p = first;
  let otherwise: Stmt[] = [];
  for (;;) {
    const test = p.parseExpression();
    p.expectEnd();
    const body = parseBody(frame, ["elif", "else", "endif"]);
    branches.push({ test, body: body.stmts });
    if (body.stop === "elif" && body.parser) {
      p = body.parser;
      continue;
    }
    if (body.stop === "else") {
      body.parser?.expectEnd();
      const rest = parseBody(frame, ["endif"]);
      otherwise = rest.stmts;
      rest.parser?.expectEnd();
    } else body.parser?.expectEnd();
    return { type: "if", branches, otherwise };
  }
}

function parseFor(frame: Frame, p: ExprParser): Stmt {
  const targets = p.parseTargets();
  p.expect("name", "in");
  const iter = p.parseExpression(false);
  if (p.is("name", "if"))
    throw new UnsupportedTemplateError("loop filters (for … if …) are not supported yet");
  if (p.is("name", "recursive"))
    throw new UnsupportedTemplateError("recursive loops are not supported yet");
  p.expectEnd();
  const body = parseBody(frame, ["else", "endfor"]);
  let otherwise: Stmt[] = [];
  body.parser?.expectEnd();
  if (body.stop === "else") {
    const rest = parseBody(frame, ["endfor"]);
    rest.parser?.expectEnd();
    otherwise = rest.stmts;
  }
  return { type: "for", targets, iter, body: body.stmts, otherwise };
}
