/**
 * Run one child in its own process group and wait for it, with timeout, cancel and streaming.
 *
 * Why a process group: an action is usually a shell that starts more processes. Killing only the
 * direct child leaves its children running (and holding the output pipes open), so timeout and
 * cancel signal the whole group: SIGTERM first, SIGKILL once the grace period has passed.
 * StackStorm does the same with `setsid` + `pkill -TERM -s`, without the SIGKILL follow-up.
 *
 * The run is over when the child has exited and its pipes are closed: a background
 * process that keeps the pipes open keeps the action running, and the timeout still applies.
 *
 * Captured output is bounded (`maxCaptureBytes` per stream, default 16 MiB): beyond it the
 * result keeps the head and a marker line, while every chunk still reaches `onOutput`.
 *
 * `extraPipe` opens a third pipe (fd 3) that the child writes its result on: the result must
 * not travel on stdout, where a `print()` in the action could forge or corrupt it. The run then
 * also waits for fd 3 to close, and a forced close after SIGKILL includes it.
 */

import { spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { SquallError } from "../../core/errors.ts";
import type { RunRequest } from "./contract.ts";

/** The child could not be started at all (missing program, no permission, bad cwd). */
export class ProcessStartError extends SquallError {
  override readonly code: string = "process_start_error";
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_MAX_CAPTURE_BYTES = 16 * 1024 * 1024;
/** A result on fd 3 larger than this is an action bug, not something to hold in memory. */
export const DEFAULT_MAX_EXTRA_BYTES = 64 * 1024 * 1024;
/** Longest partial line held back before it is streamed anyway. */
const MAX_PENDING_LINE = 64 * 1024;

export interface ProcessGroupOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  stdin?: string;
  /** Milliseconds before the group is killed and the run reported as timed out; null = none. */
  timeoutMs: number | null;
  signal: AbortSignal;
  /** Called with whole lines (and a final partial line) as they arrive. */
  onOutput: (stream: "stdout" | "stderr", data: string) => void;
  killGraceMs?: number;
  maxCaptureBytes?: number;
  /** Called once the process group exists, with its id (the leader's pid). */
  onSpawn?: (pgid: number) => void;
  /** Give the child a readable fd 3 (see the module comment); its bytes come back as `extra`. */
  extraPipe?: boolean;
  /** Cap on what is kept of fd 3; default DEFAULT_MAX_EXTRA_BYTES. */
  maxExtraBytes?: number;
}

export interface ProcessGroupResult {
  /** Exit code, or minus the signal number when a signal ended it (as Python's returncode). */
  returnCode: number;
  stdout: string;
  stderr: string;
  /** Everything written to fd 3 (UTF-8); empty without `extraPipe` or when nothing came. */
  extra: string;
  /** fd 3 carried more than `maxExtraBytes`: `extra` holds only the head, so it is unusable. */
  extraTruncated: boolean;
  timedOut: boolean;
  canceled: boolean;
}

/** Squall's own environment minus its settings (they may hold server credentials). */
export function childEnv(base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !key.startsWith("SQUALL_")) env[key] = value;
  }
  return env;
}

/** The options every runner takes from its request: cancel signal, output sink, onSpawn. */
export function requestHooks(
  request: Pick<RunRequest, "signal" | "output" | "onSpawn">,
): Pick<ProcessGroupOptions, "signal" | "onOutput" | "onSpawn"> {
  return {
    signal: request.signal,
    onOutput: (stream, data) => request.output.write(stream, data),
    ...(request.onSpawn ? { onSpawn: request.onSpawn } : {}),
  };
}

/** Rejects (with ProcessStartError) only when the child cannot be started at all. */
export function runProcessGroup(options: ProcessGroupOptions): Promise<ProcessGroupResult> {
  const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const maxCapture = options.maxCaptureBytes ?? DEFAULT_MAX_CAPTURE_BYTES;

  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      resolve({
        returnCode: -osConstants.signals.SIGTERM,
        stdout: "",
        stderr: "",
        extra: "",
        extraTruncated: false,
        timedOut: false,
        canceled: true,
      });
      return;
    }
    const stdin = options.stdin === undefined ? "ignore" : "pipe";
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: options.extraPipe ? [stdin, "pipe", "pipe", "pipe"] : [stdin, "pipe", "pipe"],
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);

    const out = new Capture("stdout", maxCapture, options.onOutput);
    const err = new Capture("stderr", maxCapture, options.onOutput);
    const extraPipe = options.extraPipe ? child.stdio[3] : undefined;
    const extra = new ByteCapture(options.maxExtraBytes ?? DEFAULT_MAX_EXTRA_BYTES);
    let timedOut = false;
    let canceled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let forceCloseTimer: NodeJS.Timeout | undefined;
    let exited = false;
    let spawnFailed = false;

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const terminate = (): void => {
      killGroup("SIGTERM");
      killTimer = setTimeout(() => {
        killGroup("SIGKILL");
        // A process that left the group (setsid) may still hold the pipes: stop waiting for it.
        forceCloseTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          extraPipe?.destroy();
        }, grace);
      }, grace);
    };

    const timeoutTimer =
      options.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            terminate();
          }, options.timeoutMs);
    const onAbort = (): void => {
      if (timedOut || canceled) return;
      canceled = true;
      terminate();
    };
    options.signal.addEventListener("abort", onAbort, { once: true });

    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => out.add(chunk));
    child.stderr?.on("data", (chunk: string) => err.add(chunk));
    extraPipe?.on("data", (chunk: Buffer) => extra.add(chunk));
    extraPipe?.on("error", () => {});

    if (options.stdin !== undefined && child.stdin) {
      // EPIPE when the child never reads stdin is expected and harmless.
      child.stdin.on("error", () => {});
      child.stdin.end(options.stdin);
    }

    child.on("exit", () => {
      exited = true;
      // Once the leader is gone, a grandchild still in the group must not outlive a cancel/timeout.
      if (timedOut || canceled) killGroup("SIGKILL");
    });
    child.on("error", (error) => {
      if (exited || child.pid !== undefined) return;
      spawnFailed = true;
      cleanup();
      reject(
        new ProcessStartError(`cannot start ${options.command}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.on("close", (code, sig) => {
      if (spawnFailed) return;
      cleanup();
      out.flush();
      err.flush();
      const returnCode =
        code !== null ? code : sig !== null ? -(osConstants.signals[sig] ?? 1) : -1;
      resolve({
        returnCode,
        stdout: out.text(),
        stderr: err.text(),
        extra: extra.text(),
        extraTruncated: extra.truncated,
        timedOut,
        canceled,
      });
    });

    function cleanup(): void {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      clearTimeout(forceCloseTimer);
      options.signal.removeEventListener("abort", onAbort);
    }
  });
}

/** Collects one stream: bounded capture for the result, line-buffered streaming to the sink. */
class Capture {
  private readonly parts: string[] = [];
  private bytes = 0;
  private truncatedBytes = 0;
  private pending = "";

  constructor(
    private readonly stream: "stdout" | "stderr",
    private readonly max: number,
    private readonly sink: (stream: "stdout" | "stderr", data: string) => void,
  ) {}

  add(chunk: string): void {
    const size = Buffer.byteLength(chunk);
    if (this.bytes + size <= this.max) {
      this.parts.push(chunk);
      this.bytes += size;
    } else {
      this.truncatedBytes += size;
    }
    this.pending += chunk;
    const cut = this.pending.lastIndexOf("\n");
    if (cut >= 0) {
      this.emit(this.pending.slice(0, cut + 1));
      this.pending = this.pending.slice(cut + 1);
    }
    if (this.pending.length > MAX_PENDING_LINE) {
      this.emit(this.pending);
      this.pending = "";
    }
  }

  flush(): void {
    if (this.pending !== "") this.emit(this.pending);
    this.pending = "";
  }

  text(): string {
    const captured = this.parts.join("");
    if (this.truncatedBytes === 0) return captured;
    return `${captured}\n[squall: ${this.truncatedBytes} more bytes of ${this.stream} not kept]`;
  }

  private emit(data: string): void {
    try {
      this.sink(this.stream, data);
    } catch {
      // A failing sink must not kill the run; the captured result still holds the output.
    }
  }
}

/** Collects fd 3 as bytes (a chunk may end inside a UTF-8 sequence); stops at the cap. */
class ByteCapture {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    if (this.truncated || this.bytes + chunk.length > this.max) {
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
