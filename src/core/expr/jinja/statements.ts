/** Statement-level parsing: prints, text and `{% %}` blocks over the lexer's segments. */

import { RenderError } from "../../errors.ts";
import { TemplateSyntaxError, UnsupportedTemplateError } from "../template.ts";
import type { Expr, Stmt, Target } from "./ast.ts";
import { type Segment, segment } from "./lexer.ts";
import { ExprParser } from "./parser.ts";

/** Block nesting beyond this is refused, bounding parser and executor recursion. */
const MAX_BLOCK_DEPTH = 100;

const LOADER_TAGS = new Set(["extends", "include", "import", "from", "block"]);

type Frame = { segs: Segment[]; i: number; depth: number };
type Body = { stmts: Stmt[]; stop: string | null; parser: ExprParser | null };

function tagName(source: string): string {
  return /^\s*([A-Za-z_]\w*)/.exec(source)?.[1] ?? "";
}

/** Parses a whole template into statements. */
export function parseTemplate(source: string): Stmt[] {
  const frame: Frame = { segs: segment(source), i: 0, depth: 0 };
  const body = parseBody(frame, []);
  if (body.stop !== null) throw new TemplateSyntaxError(`unexpected '${body.stop}' tag`);
  return body.stmts;
}

function parseBody(frame: Frame, stops: string[]): Body {
  if (++frame.depth > MAX_BLOCK_DEPTH) {
    throw new TemplateSyntaxError(`blocks nested deeper than ${MAX_BLOCK_DEPTH} levels`);
  }
  try {
    return parseBodyInner(frame, stops);
  } finally {
    frame.depth--;
  }
}

function closeWith(frame: Frame, end: string): Stmt[] {
  const body = parseBody(frame, [end]);
  body.parser?.expectEnd();
  return body.stmts;
}

function parseBodyInner(frame: Frame, stops: string[]): Body {
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
      const expr = p.parseTuple();
      p.expectEnd();
      stmts.push({ type: "print", expr });
      continue;
    }
    const name = tagName(seg.source);
    p.next();
    if (stops.includes(name)) return { stmts, stop: name, parser: p };
    stmts.push(parseTag(frame, name, p, stops));
  }
  if (stops.length > 0) {
    throw new TemplateSyntaxError(
      `unexpected end of template; expected one of ${stops.join(", ")}`,
    );
  }
  return { stmts, stop: null, parser: null };
}

function parseTag(frame: Frame, name: string, p: ExprParser, stops: string[]): Stmt {
  switch (name) {
    case "if":
      return parseIf(frame, p);
    case "for":
      return parseFor(frame, p);
    case "set":
      return parseSet(frame, p);
    case "macro": {
      const macroName = p.expect("name").value;
      const params = p.parseParams();
      p.expectEnd();
      return { type: "macro", name: macroName, params, body: closeWith(frame, "endmacro") };
    }
    case "call": {
      const params = p.is("op", "(") ? p.parseParams() : [];
      const call = p.parseExpression();
      if (call.type !== "call") p.fail("expected a macro call");
      p.expectEnd();
      return { type: "callblock", call, params, body: closeWith(frame, "endcall") };
    }
    case "with": {
      const assignments: Array<{ target: Target; value: Expr }> = [];
      while (!p.is("end")) {
        if (assignments.length > 0) p.expect("op", ",");
        const target = p.parseTargets();
        p.expect("op", "=");
        assignments.push({ target, value: p.parseExpression() });
      }
      return { type: "with", assignments, body: closeWith(frame, "endwith") };
    }
    case "filter": {
      const filters = p.parseFilterChain();
      p.expectEnd();
      return { type: "filterblock", filters, body: closeWith(frame, "endfilter") };
    }
    case "autoescape": {
      const on = p.parseExpression();
      p.expectEnd();
      if (!(on.type === "literal" && on.value === false)) {
        throw new UnsupportedTemplateError("{% autoescape true %} is not supported");
      }
      return { type: "with", assignments: [], body: closeWith(frame, "endautoescape") };
    }
    default:
      if (LOADER_TAGS.has(name)) {
        throw new RenderError(
          `{% ${name} %} needs a template loader; StackStorm renders single templates without one`,
        );
      }
      throw new TemplateSyntaxError(
        `encountered unknown tag '${name}'${stops.length > 0 ? `; expected one of ${stops.join(", ")}` : ""}`,
      );
  }
}

function parseSet(frame: Frame, p: ExprParser): Stmt {
  const target = p.parseTargets(true);
  if (p.skip("op", "=")) {
    const value = p.parseTuple();
    p.expectEnd();
    return { type: "set", target, value };
  }
  const filters = p.skip("op", "|") ? p.parseFilterChain() : [];
  p.expectEnd();
  if (target.kind !== "name") p.fail("block set needs a single name");
  return { type: "setblock", target, filters, body: closeWith(frame, "endset") };
}

function parseIf(frame: Frame, first: ExprParser): Stmt {
  const branches: Array<{ test: Expr; body: Stmt[] }> = [];
  let p = first;
  for (;;) {
    const test = p.parseTuple();
    p.expectEnd();
    const body = parseBody(frame, ["elif", "else", "endif"]);
    branches.push({ test, body: body.stmts });
    if (body.stop === "elif" && body.parser) {
      p = body.parser;
      continue;
    }
    body.parser?.expectEnd();
    const otherwise = body.stop === "else" ? closeWith(frame, "endif") : [];
    return { type: "if", branches, otherwise };
  }
}

function parseFor(frame: Frame, p: ExprParser): Stmt {
  const target = p.parseTargets();
  p.expect("name", "in");
  const iter = p.parseTuple(false);
  const filter = p.skip("name", "if") ? p.parseExpression() : null;
  const recursive = p.skip("name", "recursive");
  p.expectEnd();
  const body = parseBody(frame, ["else", "endfor"]);
  body.parser?.expectEnd();
  const otherwise = body.stop === "else" ? closeWith(frame, "endfor") : [];
  return { type: "for", target, iter, filter, recursive, body: body.stmts, otherwise };
}
