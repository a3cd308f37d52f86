#!/usr/bin/env node
// Entry point of the `squall` command: compiles the TypeScript sources on the fly through tsx,
// then hands over to src/cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
