/** Shared helpers for the remote runner tests (they run against the real sshd of sshd.ts). */

import { readdirSync, readFileSync } from "node:fs";
import type { RunnerOutcome } from "../../src/engine/runners/contract.ts";

export function hostResults(outcome: RunnerOutcome): Record<string, Record<string, unknown>> {
  return outcome.result as Record<string, Record<string, unknown>>;
}

export function hostResult(outcome: RunnerOutcome, key: string): Record<string, unknown> {
  const all = hostResults(outcome);
  const one = all[key];
  if (!one) throw new Error(`no result for host ${key}: ${JSON.stringify(outcome.result)}`);
  return one;
}

/** Every process's command line, NUL bytes shown as spaces. */
export function allCommandLines(): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = readFileSync(`/proc/${name}/cmdline`, "utf8");
      out.push({ pid: Number(name), cmdline: raw.replaceAll("\0", " ") });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Live (not zombie) processes whose command line contains `needle`. */
export function livePids(needle: string): number[] {
  return allCommandLines()
    .filter((p) => p.cmdline.includes(needle) && p.pid !== process.pid && !isZombie(p.pid))
    .map((p) => p.pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Polls `check` every 50 ms, up to `ms`; true as soon as it holds. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 50) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
