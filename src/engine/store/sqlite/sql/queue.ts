/**
 * Work-queue statements. Hot ones say which index serves them; the others run rarely (start-up,
 * metrics) and scan the jobs table on purpose, which stays small because finished jobs leave it.
 */

const JOB_COLUMNS = "id, kind, payload, run_at, ready_at, key, attempts, lease_owner, lease_until";

/**
 * Hot. The conflict target names the partial unique index jobs_by_key, so a keyed enqueue while
 * an unfinished job holds the key is a no-op; unkeyed rows never conflict.
 */
export const INSERT_JOB = `
  INSERT INTO jobs (kind, payload, run_at, ready_at, key, created_at)
  VALUES (@kind, @payload, @runAt, @runAt, @key, @now)
  ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`;

/**
 * Hot. INSERT_JOB for an item handed straight to a consumer in this process: it starts claimed
 * (attempt 1), sitting at its lease end in jobs_claimable like any claimed job.
 */
export const INSERT_LEASED_JOB = `
  INSERT INTO jobs (kind, payload, run_at, ready_at, key, created_at, attempts, lease_owner,
                    lease_until)
  VALUES (@kind, @payload, @runAt, @until, @key, @now, 1, @owner, @until)
  ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`;

/**
 * Hot. The subquery is a range scan of jobs_claimable (kind = ?, ready_at <= now), already in
 * (ready_at, id) order, stopping after @n rows; leased jobs sit at their lease end, so they are
 * not scanned until it passes. The lease test is a guard that the ready_at invariant holds.
 */
export const CLAIM_JOBS = `
  UPDATE jobs
  SET lease_owner = @owner, lease_until = @until, ready_at = @until, attempts = attempts + 1
  WHERE id IN (
    SELECT id FROM jobs
    WHERE kind = @kind AND ready_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
    ORDER BY ready_at, id
    LIMIT @n
  )
  RETURNING ${JOB_COLUMNS}`;

/** Hot. Primary-key lookup; the owner check decides whether the caller still holds the job. */
export const JOB_LEASE = "SELECT kind, lease_owner FROM jobs WHERE id = ?";

/** Hot. Primary-key delete of a finished job. */
export const DELETE_JOB = "DELETE FROM jobs WHERE id = ?";
/** Hot (every finished job): the delete and the lease check in one statement. */
export const DELETE_HELD_JOB = "DELETE FROM jobs WHERE id = ? AND lease_owner = ?";

/** Hot. Primary-key update; ready_at follows the lease so nobody claims the job meanwhile. */
export const EXTEND_LEASE = `
  UPDATE jobs SET lease_until = @until, ready_at = @until
  WHERE id = @id AND lease_owner = @owner`;

/** Primary-key update: frees the job and makes it claimable again at @retryAt. */
export const RETRY_JOB = `
  UPDATE jobs
  SET run_at = @retryAt, ready_at = @retryAt, lease_owner = NULL, lease_until = NULL,
      last_error = @error
  WHERE id = @id AND lease_owner = @owner`;

/** Primary-key copy into dead_jobs, in the same transaction as DELETE_JOB. */
export const BURY_JOB = `
  INSERT INTO dead_jobs
    (id, kind, payload, run_at, key, attempts, lease_owner, error, created_at, failed_at)
  SELECT id, kind, payload, run_at, key, attempts, lease_owner, @error, created_at, @now
  FROM jobs WHERE id = @id AND lease_owner = @owner`;

/**
 * Start-up only: scans jobs (no index on lease_owner, which every claim would have to maintain).
 * Released jobs become claimable at their original run_at, which has already passed.
 */
export const RELEASE_OWNER = `
  UPDATE jobs SET lease_owner = NULL, lease_until = NULL, ready_at = run_at
  WHERE lease_owner = @owner
  RETURNING kind`;

/** Hot (worker idle path). MIN on the leading columns of jobs_claimable is one index seek. */
export const NEXT_READY = "SELECT MIN(ready_at) AS next FROM jobs WHERE kind = ?";

/** Hot (waitFor). Index seek on jobs_claimable for the first due row of the kind. */
export const HAS_DUE = "SELECT 1 FROM jobs WHERE kind = ? AND ready_at <= ? LIMIT 1";

/** Metrics only: one scan grouped by kind. A lapsed lease counts as pending (it is claimable). */
export const STATS = `
  SELECT kind,
         SUM(CASE WHEN lease_until > @now THEN 0 ELSE 1 END) AS pending,
         SUM(CASE WHEN lease_until > @now THEN 1 ELSE 0 END) AS leased
  FROM jobs GROUP BY kind ORDER BY kind`;
