/**
 * Parses metadata text (YAML, and JSON as its subset) keeping node positions, so validation
 * errors can name the line a pack author has to fix.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

export type FieldPath = ReadonlyArray<string | number>;

/**
 * Line/column (1-based) of the field at `path`: the key's position for a mapping entry, the
 * item's for a list element, or the nearest ancestor's when the field is absent.
 */
export type Locate = (path: FieldPath) => { line: number; column: number } | undefined;

export type ParsedSource =
  | { ok: true; value: unknown; locate: Locate }
  | { ok: false; message: string; line?: number; column?: number };

export function parseYamlSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  // uniqueKeys rejects duplicate keys, where PyYAML silently lets the last one win; an
  // ambiguous file is better reported than half-honoured.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const message = (first.message.split("\n")[0] ?? first.message).replace(/ at line \d+.*$/, "");
    return { ok: false, message, ...(pos ? { line: pos.line, column: pos.col } : {}) };
  }
  const at = (node: Node | null | undefined) => {
    if (!node?.range) return undefined;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
  const locate: Locate = (path) => {
    let node: unknown = doc.contents;
    let best = at(isNode(node) ? node : null) ?? { line: 1, column: 1 };
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) break;
        best = at(isNode(pair.key) ? pair.key : null) ?? best;
        node = pair.value;
      } else if (isSeq(node) && Number.isInteger(Number(segment))) {
        const item = node.items[Number(segment)];
        if (!isNode(item)) break;
        best = at(item) ?? best;
        node = item;
      } else {
        break;
      }
    }
    return best;
  };
  return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }), locate };
}
