import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crashesAfter, DEFAULT_RESPAWN_POLICY, respawnDelayMs, shouldRespawn } from "./backoff.ts";

describe("sensor respawn backoff", () => {
  const table: Array<[number, number]> = [
    [1, 2_500],
    [2, 5_000],
    [3, 10_000],
    [4, 20_000],
    [5, 40_000],
    [6, 60_000],
    [50, 60_000],
    [5_000, 60_000],
    [0, 2_500],
  ];
  for (const [crashes, delay] of table)
    it(`waits ${delay} ms after ${crashes} crash(es) in a row`, () => {
      assert.equal(respawnDelayMs(crashes, DEFAULT_RESPAWN_POLICY), delay);
    });

  it("counts a crash after a stable run as the first again", () => {
    assert.equal(crashesAfter(4, 10_000, DEFAULT_RESPAWN_POLICY), 1);
    assert.equal(crashesAfter(4, 9_999, DEFAULT_RESPAWN_POLICY), 5);
    assert.equal(crashesAfter(0, 0, DEFAULT_RESPAWN_POLICY), 1);
  });

  const exits: Array<[number, boolean, boolean]> = [
    [1, false, true],
    [-9, false, true],
    [0, false, false],
    [1, true, false],
  ];
  for (const [code, stopping, expected] of exits)
    it(`exit ${code}${stopping ? " while stopping" : ""} → respawn ${expected}`, () => {
      assert.equal(shouldRespawn(code, stopping), expected);
    });
});
