// Entry point of the child processes that run TypeScript/JavaScript pack code (the `nodejs`
// runner's actions, and sensors). Plain JavaScript so plain `node` can start it: it installs the
// tsx loader (as bin/squall.js does), makes `squall/sdk` resolve to this SDK wherever the pack
// lives, then hands over to the action or sensor host. argv holds only the kind; everything
// else arrives on stdin.
import { register as registerHooks } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
registerHooks("./resolve-hook.mjs", import.meta.url);

const kind = process.argv[2];
if (kind === "action") await import("./action-host.ts");
else if (kind === "sensor") await import("./sensor-host.ts");
else {
  process.stderr.write(`squall host: unknown kind "${kind}" (expected action or sensor)\n`);
  process.exit(2);
}
