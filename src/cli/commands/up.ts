/**
 * `squall up`: the one command allowed to start services in-process (see the layer rules).
 * Everything else in the CLI talks to the server over HTTP.
 */

import { type Command, CommanderError } from "commander";
import { SquallError } from "../../core/errors.ts";
import { loadSettings, type Settings } from "../../engine/config.ts";
import { type SquallNode, startNode } from "../../server/node.ts";

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description(
      "Start Squall (API, scheduler and workers) in this process, with the bundled packs on SQLite",
    )
    .option("--host <address>", "address to listen on (default 127.0.0.1, env SQUALL_HOST)")
    .option("--port <port>", "port to listen on (default 9101, env SQUALL_PORT)")
    .option("--home <dir>", "data directory (default ~/.squall, env SQUALL_HOME)")
    .action(async (opts: { host?: string; port?: string; home?: string }) => {
      const started = Date.now();
      const env = { ...process.env };
      if (opts.home) env.SQUALL_HOME = opts.home;
      if (opts.port) env.SQUALL_PORT = opts.port;
      if (opts.host) env.SQUALL_HOST = opts.host;
      let node: SquallNode;
      let settings: Settings;
      try {
        settings = loadSettings(env);
        node = await startNode(settings);
      } catch (err) {
        // Configuration and environment problems get one clear line, not a stack trace.
        if (!(err instanceof SquallError)) throw err;
        process.stderr.write(`squall up: ${err.message}\n`);
        // Commander's error type carries the exit code through main() (it prints nothing itself).
        throw new CommanderError(1, "squall.up", err.message);
      }
      const ms = Date.now() - started;
      process.stdout.write(
        `Squall is up at ${node.url} (ready in ${ms} ms; data in ${settings.home}; ` +
          `${node.registration.packs.length} packs registered${node.registration.errors.length ? `, ${node.registration.errors.length} content errors: see \`squall pack register\`` : ""})\n`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          process.stderr.write("stopping now\n");
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(
          `${signal} received; finishing running actions (Ctrl-C again to stop at once)\n`,
        );
        node
          .stop()
          .then(() => process.exit(0))
          .catch((err: unknown) => {
            process.stderr.write(`shutdown failed: ${String(err)}\n`);
            process.exit(1);
          });
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
    });
}
