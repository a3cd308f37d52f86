/**
 * Identifiers and timestamps for records Squall creates.
 *
 * Execution ids keep StackStorm's ObjectId shape (24 hex characters) because clients, URLs and
 * scripts written for StackStorm parse them, and because the leading timestamp makes "newest
 * first" an index walk on the primary key.
 */

import { randomBytes, randomInt } from "node:crypto";

/** Random per process, as in an ObjectId: it separates ids made in the same second elsewhere. */
const processPart = randomBytes(5).toString("hex");

/**
 * Starts in the lower half of the 24-bit range so the counter cannot wrap (which would break
 * ordering within one second) until this process has made over eight million ids.
 */
let counter = randomInt(0, 0x800000);

/** The seconds part and the process part of the ids made in the second `prefixSeconds`. */
let prefixSeconds = -1;
let prefix = "";

/**
 * A new 24-character lowercase hex id: 4 bytes of seconds since the epoch, 5 random bytes fixed
 * for this process, then a 3-byte counter. Ids made by one process sort in creation order.
 */
export function newId(): string {
  const seconds = Math.floor(Date.now() / 1000) >>> 0;
  // The first 18 characters change once a second; many ids are made within one.
  if (seconds !== prefixSeconds) {
    prefixSeconds = seconds;
    prefix = seconds.toString(16).padStart(8, "0") + processPart;
  }
  counter = (counter + 1) & 0xffffff;
  return prefix + counter.toString(16).padStart(6, "0");
}

/** The current time as ISO-8601 UTC with milliseconds, e.g. `2024-05-01T12:00:00.000Z`. */
export function nowIso(): string {
  return isoTime(Date.now());
}

let lastMs = Number.NaN;
let lastIso = "";

/**
 * `new Date(ms).toISOString()`, remembering the last answer: formatting costs about half a
 * microsecond, and the records of one event (and of events arriving together) mostly share
 * their millisecond.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
