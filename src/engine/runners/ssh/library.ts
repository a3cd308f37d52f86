/**
 * ssh2, loaded on first use: it adds about 15 MB to the resident size of a node, and most nodes
 * never run a remote action. `require` keeps the first use synchronous (key parsing is).
 */

import { createRequire } from "node:module";
import type * as Ssh2 from "ssh2";

const require = createRequire(import.meta.url);
let loaded: typeof Ssh2 | undefined;

export function ssh2(): typeof Ssh2 {
  loaded ??= require("ssh2") as typeof Ssh2;
  return loaded;
}
