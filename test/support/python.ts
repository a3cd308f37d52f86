/**
 * Python for the python-script tests. Missing Python is a failed test with the fix in its
 * message, never a skipped one.
 */

import { spawnSync } from "node:child_process";

export const PYTHON = process.env.SQUALL_TEST_PYTHON ?? "python3";

/** Throws naming the Debian packages when python3 (or, with `venv`, its venv module) is missing. */
export function requirePython(options: { venv?: boolean } = {}): string {
  const probe = spawnSync(
    PYTHON,
    ["-c", options.venv ? "import venv, ensurepip" : "import sys; sys.exit(0)"],
    { encoding: "utf8" },
  );
  if (probe.error || probe.status !== 0) {
    const packages = options.venv ? "python3 python3-venv" : "python3";
    throw new Error(
      `${PYTHON} ${options.venv ? "with the venv module " : ""}is needed for this test ` +
        `(${probe.error?.message ?? probe.stderr.trim()}); on Debian: apt-get install ${packages}`,
    );
  }
  return PYTHON;
}
