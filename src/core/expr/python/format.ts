/**
 * Python string formatting: printf-style `fmt % args` and `str.format` with its format-spec
 * mini-language, for the conversions templates use (s r d i f F e E g G x X o c %).
 */

import { PythonError, pyTypeError, pyValueError } from "./errors.ts";
import { isPyFloat, numValue, pyFloatRepr } from "./number.ts";
import { isPlainObject, isTuple, pyRepr, pyStr, pyTypeName } from "./value.ts";

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | null;
  type: string;
}

function pad(text: string, spec: Spec, defaultAlign: string): string {
  const align = spec.align || (spec.zero ? "=" : defaultAlign);
  const fill = spec.align ? spec.fill : spec.zero ? "0" : " ";
  const len = [...text].length;
  if (len >= spec.width) return text;
  const n = spec.width - len;
  if (align === "<") return text + fill.repeat(n);
  if (align === ">") return fill.repeat(n) + text;
  if (align === "^") return fill.repeat(Math.floor(n / 2)) + text + fill.repeat(Math.ceil(n / 2));
  const m = /^([+\- ]?(?:0[xXob])?)(.*)$/s.exec(text);
  return (m?.[1] ?? "") + fill.repeat(n) + (m?.[2] ?? text);
}

function group(intDigits: string, sep: string): string {
  return sep ? intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, sep) : intDigits;
}

function expForm(x: number, precision: number, upper: boolean): string {
  const [m = "", e = "0"] = x.toExponential(precision).split("e");
  const exp = Number(e);
  const out = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return upper ? out.toUpperCase() : out;
}

function generalForm(x: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return alt ? `0.${"0".repeat(p - 1)}` : "0";
  const exp = Number(x.toExponential(p - 1).split("e")[1]);
  let out: string;
  if (exp >= -4 && exp < p) out = x.toFixed(Math.max(0, p - 1 - exp));
  else out = expForm(x, p - 1, upper);
  if (!alt && out.includes(".")) {
    out = out.replace(/(\.\d*?)0+(?=e|E|$)/, "$1").replace(/\.(?=e|E|$)/, "");
  }
  return out;
}

function formatNumber(value: unknown, spec: Spec): string {
  const x = numValue(value);
  if (x === null) {
    return pyTypeError(`must be real number, not ${pyTypeName(value)}`);
  }
  let type = spec.type;
  if (type === "" || type === "n") type = isPyFloat(value) ? "" : "d";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let body: string;
  if (!Number.isFinite(a)) body = Number.isNaN(a) ? "nan" : "inf";
  else if (type === "d" || type === "i" || type === "u") {
    if (isPyFloat(value) && spec.type === "d") {
      throw new PythonError("ValueError", "Unknown format code 'd' for object of type 'float'");
    }
    body = group(BigInt(Math.trunc(a)).toString(), spec.grouping);
  } else if (type === "x" || type === "X" || type === "o" || type === "b") {
    const radix = type === "o" ? 8 : type === "b" ? 2 : 16;
    body = Math.trunc(a).toString(radix);
    if (type === "X") body = body.toUpperCase();
    if (spec.alt) body = `0${type === "X" ? "X" : type}${body}`;
  } else if (type === "f" || type === "F" || type === "%") {
    const v = type === "%" ? a * 100 : a;
    const fixed = v.toFixed(spec.precision ?? 6);
    const [i = "", f] = fixed.split(".");
    body = group(i, spec.grouping) + (f !== undefined ? `.${f}` : spec.alt ? "." : "");
    if (type === "%") body += "%";
  } else if (type === "e" || type === "E") body = expForm(a, spec.precision ?? 6, type === "E");
  else if (type === "g" || type === "G") {
    body = generalForm(a, spec.precision ?? 6, spec.alt, type === "G");
  } else if (type === "") {
    body = spec.precision === null ? pyFloatRepr(a) : generalForm(a, spec.precision, false, false);
  } else if (type === "c") body = String.fromCodePoint(Math.trunc(a));
  else
    return pyValueError(`Unknown format code '${type}' for object of type '${pyTypeName(value)}'`);
  const sign = neg ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(sign + body, spec, ">");
}

function formatWithSpec(value: unknown, spec: Spec): string {
  const textual = spec.type === "" && (numValue(value) === null || typeof value === "boolean");
  if (spec.type === "s" || textual) {
    let text = pyStr(value);
    if (spec.precision !== null) text = [...text].slice(0, spec.precision).join("");
    return pad(text, spec, "<");
  }
  if (spec.type === "r") return pad(pyRepr(value), spec, "<");
  return formatNumber(value, spec);
}

const FORMAT_SPEC =
  /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

/** Applies a `str.format` spec (`>10`, `.2f`, `,d`) to a value. */
export function formatSpec(value: unknown, specText: string): string {
  const m = FORMAT_SPEC.exec(specText);
  if (!m) return pyValueError(`Invalid format specifier '${specText}'`);
  return formatWithSpec(value, {
    fill: m[1] ?? " ",
    align: m[2] ?? "",
    sign: m[3] ?? "-",
    alt: m[4] !== undefined,
    zero: m[5] !== undefined,
    width: m[6] === undefined ? 0 : Number(m[6]),
    grouping: m[7] ?? "",
    precision: m[8] === undefined ? null : Number(m[8]),
    type: m[9] ?? "",
  });
}

const PERCENT = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** printf-style `fmt % args`. */
export function percentFormat(fmt: string, args: unknown): string {
  const positional = isTuple(args) ? [...(args as unknown[])] : [args];
  const mapping = isPlainObject(args) ? args : null;
  let next = 0;
  let usedMapping = false;
  const take = (): unknown => {
    if (next >= positional.length) pyTypeError("not enough arguments for format string");
    return positional[next++];
  };
  const out = fmt.replace(PERCENT, (_all, key, flags: string, width, prec, conv: string) => {
    if (conv === "%") return "%";
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) return pyTypeError("format requires a mapping");
      if (!Object.hasOwn(mapping, key)) throw new PythonError("KeyError", pyRepr(key));
      usedMapping = true;
      value = mapping[key];
    }
    const w = width === "*" ? Number(take()) : width === undefined ? 0 : Number(width);
    const p = prec === "*" ? Number(take()) : prec === undefined ? null : Number(prec);
    if (key === undefined) value = take();
    const spec: Spec = {
      fill: " ",
      align: flags.includes("-") ? "<" : "",
      sign: flags.includes("+") ? "+" : flags.includes(" ") ? " " : "-",
      alt: flags.includes("#"),
      zero: flags.includes("0") && !flags.includes("-"),
      width: w,
      grouping: "",
      precision: p,
      type: conv === "i" || conv === "u" ? "d" : conv === "a" ? "r" : conv,
    };
    if (spec.type === "s" || spec.type === "r") {
      const text = spec.type === "s" ? pyStr(value) : pyRepr(value);
      const cut = p === null ? text : [...text].slice(0, p).join("");
      return pad(cut, { ...spec, zero: false }, ">");
    }
    if (spec.type === "d" && numValue(value) !== null) {
      return formatNumber(Math.trunc(numValue(value) as number), spec);
    }
    if (spec.type === "c" && typeof value === "string") return pad(value, spec, ">");
    if (numValue(value) === null) {
      return pyTypeError(`%${conv} format: a real number is required, not ${pyTypeName(value)}`);
    }
    return formatNumber(value, spec);
  });
  if (!mapping && !usedMapping && next < positional.length) {
    pyTypeError("not all arguments converted during string formatting");
  }
  return out;
}

/** `str.format(*args, **kwargs)`: `{}`, `{0}`, `{name}`, `{0.attr}`/`{0[key]}`, `!r`/`!s`, specs. */
export function strFormat(
  fmt: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  getField: (value: unknown, key: string, isIndex: boolean) => unknown,
): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (all, field: string | undefined) => {
    if (all === "{{") return "{";
    if (all === "}}") return "}";
    const m = /^([^.[!:]*)((?:\.[^.[!:]+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(field ?? "");
    if (!m) return pyValueError(`bad format field '{${field}}'`);
    const [, first = "", chain = "", conv, spec = ""] = m;
    let value: unknown;
    if (first === "") value = args[auto++];
    else if (/^\d+$/.test(first)) value = args[Number(first)];
    else {
      if (!Object.hasOwn(kwargs, first)) throw new PythonError("KeyError", pyRepr(first));
      value = kwargs[first];
    }
    if (value === undefined && (first === "" || /^\d+$/.test(first))) {
      throw new PythonError(
        "IndexError",
        "Replacement index out of range for positional args tuple",
      );
    }
    for (const part of chain.match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
      if (part.startsWith(".")) value = getField(value, part.slice(1), false);
      else value = getField(value, part.slice(1, -1), true);
    }
    if (conv === "r" || conv === "a") value = pyRepr(value);
    else if (conv === "s") value = pyStr(value);
    return formatSpec(value, spec);
  });
}
