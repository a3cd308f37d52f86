/** Plain-data helpers with the semantics of orquesta/utils/dictionary.py, without aliasing. */

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isDict(v)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out as T;
  }
  return v;
}

/** Merges `right` into a copy of `left`: dicts merge recursively, anything else is replaced. */
export function mergeDicts(left: Dict, right: Dict): Dict {
  const out: Dict = { ...left };
  for (const [k, v] of Object.entries(right)) {
    const l = out[k];
    out[k] = isDict(l) && isDict(v) ? mergeDicts(l, v) : deepCopy(v);
  }
  return out;
}

/** Python equality of JSON-like values (dict key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (isDict(a) || isDict(b)) {
    if (!isDict(a) || !isDict(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return a === b;
}
