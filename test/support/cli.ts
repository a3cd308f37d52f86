import { spawn } from "node:child_process";
import { homeOf, SQUALL_BIN } from "./squall-process.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function homeEnv(url: string): Record<string, string> {
  const home = homeOf(url);
  return home === undefined ? {} : { SQUALL_HOME: home };
}

/** Runs `squall <args>` as a real subprocess against `url`, killed after `timeoutMs`. */
export function squall(url: string, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SQUALL_BIN, ...args], {
      // The node's home: the CLI logs in with the credentials the node wrote there.
      env: { ...process.env, SQUALL_API_URL: url, NO_COLOR: "1", ...homeEnv(url) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `squall ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
