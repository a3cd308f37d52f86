/**
 * `{ ...base, [key]: value }` without the spread, for the per-event paths.
 *
 * Node 20's V8 copies an object with a spread quickly, but adding a key the source lacks to that
 * copy (`{ ...execution, status }` when `execution` has no `status`) takes a slow path costing
 * about 0.7 µs, forty times the copy itself; the engine did that several times per event.
 */

/**
 * The same object the spread builds, for records without symbol keys (JSON data and object
 * literals): the own enumerable keys of `base` in their order, then `key` (in place when `base`
 * already has it).
 */
export function withField<T extends object, K extends string, V>(
  base: T,
  key: K,
  value: V,
): Omit<T, K> & { [P in K]: V } {
  const out: Record<string, unknown> = {};
  const source = base as Record<string, unknown>;
  for (const name in source) if (Object.hasOwn(source, name)) define(out, name, source[name]);
  define(out, key, value);
  return out as Omit<T, K> & { [P in K]: V };
}

function define(out: Record<string, unknown>, name: string, value: unknown): void {
  // Assigning `__proto__` would set the prototype; the spread makes it an ordinary key.
  if (name === "__proto__")
    Object.defineProperty(out, name, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  else out[name] = value;
}
