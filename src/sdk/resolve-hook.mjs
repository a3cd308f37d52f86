// Module resolution hook for pack code: `squall/sdk` names this SDK, so a pack file can import it
// without the pack depending on where Squall is installed.
const SDK_URL = new URL("./index.ts", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "squall/sdk" || specifier === "@squall/sdk")
    // Through the next resolver (tsx's), which marks the .ts file for its loader.
    return nextResolve(SDK_URL, context);
  const resolved = await nextResolve(specifier, context);
  // A pack usually lives outside any package.json saying "type": "module", where Node would take
  // its .ts files for CommonJS and fail on their `export default`. The SDK's contract is an ES
  // module, so .ts/.mts pack files load as one (.cts and .js keep Node's rules).
  if (resolved.format === "commonjs" && /\.m?ts$/.test(new URL(resolved.url).pathname))
    return { ...resolved, format: "module" };
  return resolved;
}
