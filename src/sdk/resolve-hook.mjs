// Module resolution hook for pack code: `squall/sdk` names this SDK, so a pack file can import it
// without the pack depending on where Squall is installed.
const SDK_URL = new URL("./index.ts", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "squall/sdk" || specifier === "@squall/sdk")
    // Through the next resolver (tsx's), which marks the .ts file for its loader.
    return nextResolve(SDK_URL, context);
  return nextResolve(specifier, context);
}
