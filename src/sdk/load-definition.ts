/** Imports the pack file named by an entry point and finds its definition. */

import { pathToFileURL } from "node:url";

export async function loadDefinition<T>(
  filePath: string,
  className: string | undefined,
  is: (value: unknown) => value is T,
  what: string,
): Promise<T> {
  const module = (await import(pathToFileURL(filePath).href)) as Record<string, unknown>;
  const candidates = [module.default, className ? module[className] : undefined];
  for (const c of candidates) if (is(c)) return c;
  throw new Error(
    `${filePath} does not export a ${what}: export default ${what}({...})` +
      (className ? ` (or export it as "${className}")` : ""),
  );
}
