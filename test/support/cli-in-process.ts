/**
 * Runs the CLI inside the test process against `url`, capturing what it prints. Cheaper than a
 * subprocess (see cli.ts) and lets a test share one server across many commands.
 */

import { CommanderError } from "commander";
import { buildProgram } from "../../src/cli/main.ts";
import type { CliRuntime } from "../../src/cli/runtime.ts";
import { homeOf } from "./squall-process.ts";

export interface InProcessResult {
  code: number;
  out: string;
  err: string;
}

/**
 * `squall <args>` with SQUALL_API_URL=url and cwd=cwd. A usage error commander raises (unknown
 * option, missing argument) comes back as its exit code, as the real binary would exit. `env`
 * adds to or replaces the environment, e.g. a SQUALL_HOME of another user's credentials.
 */
export async function runCliInProcess(
  url: string,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<InProcessResult> {
  let out = "";
  let err = "";
  const runtime: CliRuntime = {
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      // The node's home, so the CLI logs in with the credentials the node wrote there.
      env: {
        SQUALL_API_URL: url,
        ...(homeOf(url) ? { SQUALL_HOME: homeOf(url) } : {}),
        ...env,
      },
      cwd,
    },
    exitCode: 0,
  };
  const program = buildProgram(runtime);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode, out, err };
    throw e;
  }
  return { code: runtime.exitCode, out, err };
}
