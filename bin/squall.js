#!/usr/bin/env node
// Entry point of the `squall` command: compiles the TypeScript sources on the fly through tsx,
// then hands over to src/cli/main.ts (or, for `squall up`, to the lighter src/cli/up-main.ts).
import { register } from "tsx/esm/api";

register();
if (process.argv[2] === "up") {
  const { upMain } = await import("../src/cli/up-main.ts");
  process.exitCode = await upMain(process.argv);
} else {
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main(process.argv);
}
