/**
 * Reads one metadata file (YAML or JSON) and parses it with line positions kept.
 */
import { readFile } from "node:fs/promises";
import { type ParsedSource, parseYamlSource } from "../../core/content/yaml-source.ts";

export async function readMetadataFile(absPath: string): Promise<ParsedSource> {
  let text: string;
  try {
    text = await readFile(absPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot read the file (${code ?? (err as Error).message})` };
  }
  return parseYamlSource(text);
}
