/**
 * `noop`: does nothing and succeeds. The result is StackStorm's NoopRunner result verbatim
 * (no stdout/stderr keys: StackStorm's JSON pass over those keys finds nothing to decode).
 */

import type { Runner } from "./contract.ts";

export const NOOP = "noop";

export function createNoopRunner(): Runner {
  return {
    name: NOOP,
    inProcess: true,
    async run() {
      return { status: "succeeded", result: { failed: false, succeeded: true, return_code: 0 } };
    },
  };
}
