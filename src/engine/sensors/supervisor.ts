/**
 * Supervises one sensor's process: starts it, feeds it trigger changes, relays what it says,
 * and respawns it after a crash with backoff (backoff.ts) until it is stopped.
 *
 * The process runs in its own process group so a stop reaches anything it started: first a
 * `stop` message and end of stdin (the sensor cleans up), then SIGTERM, then SIGKILL, each
 * after a grace period.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import type { Readable } from "node:stream";
import type { TriggerDef } from "../../core/reactor/model.ts";
import {
  type ChildMessage,
  encodeMessage,
  LineSplitter,
  type ParentMessage,
} from "../../sdk/protocol.ts";
import { parseChildMessage } from "../../sdk/protocol-parse.ts";
import { crashesAfter, type RespawnPolicy, respawnDelayMs, shouldRespawn } from "./backoff.ts";
import type { LaunchSpec } from "./launch.ts";
import { diffTriggers } from "./triggers.ts";

export interface SupervisorHooks {
  /** Builds the launch (fresh config and token) for each spawn. */
  prepare(): Promise<LaunchSpec>;
  onSpawn(pid: number, cmd: string): void;
  onExit(exitCode: number, willRespawnInMs: number | null): void;
  onMessage(message: ChildMessage): void;
  onOutput(stream: "stdout" | "stderr", line: string): void;
  onProblem(message: string, err?: unknown): void;
}

export class SensorSupervisor {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private crashes = 0;
  private startedAt = 0;
  private respawnTimer: NodeJS.Timeout | undefined;
  private triggers = new Map<string, TriggerDef>();
  /** How many times the process was started (1 + respawns). */
  spawns = 0;

  constructor(
    readonly ref: string,
    private readonly hooks: SupervisorHooks,
    private readonly policy: RespawnPolicy,
    private readonly stopGraceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping) return;
    this.launch().catch((err: unknown) => this.afterExit(-1, err));
  }

  /** Replaces the set of triggers the sensor serves; the running process gets the difference. */
  setTriggers(next: readonly TriggerDef[]): void {
    const calls = diffTriggers(this.triggers, next);
    this.triggers = new Map(next.map((t) => [t.ref, t]));
    for (const call of calls) this.send({ type: call.type, trigger: call.trigger });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.respawnTimer);
    const child = this.child;
    if (!child) return;
    this.send({ type: "stop" });
    child.stdin?.end();
    if (await this.exitedWithin(this.stopGraceMs)) return;
    this.killGroup(child, "SIGTERM");
    if (await this.exitedWithin(this.stopGraceMs)) return;
    this.killGroup(child, "SIGKILL");
    await this.exited;
  }

  private async launch(): Promise<void> {
    const spec = await this.hooks.prepare();
    if (this.stopping) return;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.startedAt = this.now();
    this.spawns += 1;
    let settle: () => void = () => {};
    this.exited = new Promise((r) => {
      settle = r;
    });
    let finished = false;
    const finish = (code: number, err?: unknown) => {
      if (finished) return;
      finished = true;
      if (this.child === child) this.child = null;
      settle();
      this.afterExit(code, err);
    };
    child.on("error", (err) => {
      // Only a failed start ends the run here; later errors (EPIPE on stdin) are harmless.
      if (child.pid === undefined) finish(-1, err);
    });
    // "close": the exit and every pipe drained, so no message is lost to a race.
    child.on("close", (code, signal) =>
      finish(code ?? (signal ? -(osConstants.signals[signal] ?? 1) : -1)),
    );
    child.on("exit", () => {
      // A grandchild that outlived the sensor may hold the pipes open: stop waiting for them.
      setTimeout(() => {
        for (const stream of child.stdio) stream?.destroy();
      }, this.stopGraceMs).unref();
    });
    child.stdin?.on("error", () => {});
    this.lines(child.stdout, (line) => this.hooks.onOutput("stdout", line));
    this.lines(child.stderr, (line) => this.hooks.onOutput("stderr", line));
    this.lines(child.stdio[3] as Readable | null, (line) => {
      const parsed = parseChildMessage(line);
      if (parsed.ok) this.hooks.onMessage(parsed.message);
      else this.hooks.onProblem(`ignored a bad message from the sensor: ${parsed.reason}`);
    });
    if (child.pid === undefined) return;
    this.hooks.onSpawn(child.pid, [spec.command, ...spec.args].join(" "));
    this.write(child, spec.init);
    // A new process knows no triggers: it gets every current one, as StackStorm's watcher
    // loads them from the database at start.
    for (const trigger of this.triggers.values())
      this.write(child, { type: "add_trigger", trigger });
  }

  private afterExit(code: number, err?: unknown): void {
    if (err) this.hooks.onProblem("the sensor process could not be started", err);
    if (!shouldRespawn(code, this.stopping)) {
      this.hooks.onExit(code, null);
      return;
    }
    this.crashes = crashesAfter(this.crashes, this.now() - this.startedAt, this.policy);
    const delay = respawnDelayMs(this.crashes, this.policy);
    this.hooks.onExit(code, delay);
    this.respawnTimer = setTimeout(() => this.start(), delay);
  }

  private send(message: ParentMessage): void {
    if (this.child) this.write(this.child, message);
  }

  private write(child: ChildProcess, message: ParentMessage): void {
    if (child.stdin?.writable) child.stdin.write(encodeMessage(message));
  }

  private lines(stream: Readable | null, onLine: (line: string) => void): void {
    if (!stream) return;
    stream.setEncoding("utf8");
    const splitter = new LineSplitter(onLine);
    stream.on("data", (chunk: string) => splitter.push(chunk));
    stream.on("end", () => splitter.end());
    stream.on("error", () => {});
  }

  private killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: already gone.
    }
  }

  private exitedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
