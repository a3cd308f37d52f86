/**
 * Compatibility name: the complete engine replaced the minimal one. Callers constructing
 * `MinimalJinja` get the full StackStorm-configured `JinjaEngine`.
 */

import { JinjaEngine } from "./jinja/engine.ts";

export class MinimalJinja extends JinjaEngine {}
