/**
 * When to respawn a crashed sensor. StackStorm waits 2.5 s × the respawn count and gives up
 * after two respawns; Squall keeps trying, with exponentially growing, capped delays, so a
 * sensor whose upstream is down for an hour comes back on its own without hammering it.
 * A process that stayed up for `stableAfterMs` counts as healthy: its next crash starts the
 * schedule over.
 */

export interface RespawnPolicy {
  /** Delay before the first respawn after a crash. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per consecutive crash. */
  factor: number;
  /** Uptime after which a crash no longer counts as consecutive. */
  stableAfterMs: number;
}

export const DEFAULT_RESPAWN_POLICY: RespawnPolicy = {
  initialMs: 2_500,
  maxMs: 60_000,
  factor: 2,
  stableAfterMs: 10_000,
};

/** Delay before respawn number `crashes` in a row (1 = first crash). */
export function respawnDelayMs(crashes: number, policy: RespawnPolicy): number {
  const n = Math.max(1, Math.floor(crashes));
  const delay = policy.initialMs * policy.factor ** (n - 1);
  return Math.min(policy.maxMs, Number.isFinite(delay) ? delay : policy.maxMs);
}

/** The consecutive-crash count after a crash of a process that ran for `uptimeMs`. */
export function crashesAfter(previous: number, uptimeMs: number, policy: RespawnPolicy): number {
  return uptimeMs >= policy.stableAfterMs ? 1 : previous + 1;
}

/** Only a failing exit is a crash: a sensor that ends with 0 is done (as in StackStorm). */
export function shouldRespawn(exitCode: number, stopping: boolean): boolean {
  return !stopping && exitCode !== 0;
}
