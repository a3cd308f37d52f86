import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CliIo } from "./runtime.ts";
import { startSpinner, type Timers } from "./spinner.ts";

function io(
  columns: number | undefined,
  env: Record<string, string> = {},
): CliIo & { text(): string } {
  let err = "";
  return {
    out: () => assert.fail("the spinner must not write to stdout"),
    err: (t) => {
      err += t;
    },
    env,
    cwd: "/",
    ...(columns !== undefined ? { columns } : {}),
    text: () => err,
  };
}

/** Timers driven by hand: tick() runs the interval's callback once. */
function manualTimers(): Timers & { tick(): void; cleared: boolean } {
  let fn: () => void = () => {};
  const t = {
    cleared: false,
    setInterval: (f: () => void) => {
      fn = f;
      return 1;
    },
    clearInterval: () => {
      t.cleared = true;
    },
    tick: () => fn(),
  };
  return t;
}

describe("startSpinner", () => {
  it("draws nothing when stdout is not a terminal, or on CI", () => {
    for (const target of [io(undefined), io(80, { CI: "true" }), io(80, { TERM: "dumb" })]) {
      const s = startSpinner(target, "waiting", manualTimers());
      s.stop();
      assert.equal(target.text(), "");
    }
  });

  it("redraws one line on a terminal and erases it when stopped", () => {
    const target = io(80);
    const timers = manualTimers();
    const s = startSpinner(target, "waiting for e1", timers);
    timers.tick();
    s.update("e1 is running");
    timers.tick();
    s.stop();
    s.stop();
    assert.equal(
      target.text(),
      "\r\x1b[K⠋ waiting for e1\r\x1b[K⠙ waiting for e1\r\x1b[K⠹ e1 is running\r\x1b[K",
    );
    assert.equal(timers.cleared, true);
  });

  it("cuts the line to the terminal width", () => {
    const target = io(12);
    startSpinner(target, "a very long message", manualTimers()).stop();
    assert.equal(target.text().split("\r\x1b[K")[1], "⠋ a very lo");
  });
});
