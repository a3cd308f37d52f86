/**
 * The spinner `squall run` shows on stderr while it waits: only on an interactive terminal, so
 * pipes, logs and tests see nothing but the result. It redraws one line and erases it when
 * done, leaving stdout untouched.
 */

import type { CliIo } from "./runtime.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 100;

export interface Spinner {
  /** Changes the text after the spinning glyph. */
  update(text: string): void;
  /** Erases the line; safe to call more than once. */
  stop(): void;
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Whether a spinner may draw: a terminal (stdout has a width), not CI, not a dumb terminal. */
export function interactive(io: CliIo): boolean {
  return io.columns !== undefined && !io.env.CI && io.env.TERM !== "dumb";
}

export function startSpinner(io: CliIo, text: string, timers: Timers = REAL_TIMERS): Spinner {
  if (!interactive(io)) return { update: () => {}, stop: () => {} };
  let current = text;
  let n = 0;
  let stopped = false;
  const width = Math.max(10, (io.columns ?? 80) - 1);
  const draw = () => {
    const line = `${FRAMES[n++ % FRAMES.length]} ${current}`.slice(0, width);
    io.err(`\r\x1b[K${line}`);
  };
  draw();
  const handle = timers.setInterval(draw, INTERVAL_MS);
  return {
    update: (next) => {
      current = next;
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      timers.clearInterval(handle);
      io.err("\r\x1b[K");
    },
  };
}
