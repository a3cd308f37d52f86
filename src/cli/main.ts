/**
 * The `squall` command line. Client commands only talk HTTP to a running server; `squall up`
 * starts that server and pulls in the whole engine, so its module is imported only when it may be
 * needed (running it, or listing it in help), which keeps client commands quick to start.
 */

import { Command, CommanderError } from "commander";
import { registerActionCommands } from "./commands/action.ts";
import { registerActionAliasCommands } from "./commands/action-alias.ts";
import { registerApiKeyCommands } from "./commands/apikey.ts";
import { registerAuthCommands } from "./commands/auth.ts";
import { registerExecutionCommands } from "./commands/execution.ts";
import { registerExprCommand } from "./commands/expr.ts";
import { registerInquiryCommands } from "./commands/inquiry.ts";
import { registerKeyCommands } from "./commands/key.ts";
import { registerLoginCommands } from "./commands/login.ts";
import { registerPackCommands } from "./commands/pack.ts";
import { registerPolicyCommands } from "./commands/policy.ts";
import { registerRoleCommands } from "./commands/role.ts";
import { registerRuleCommands } from "./commands/rule.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerRunnerCommands } from "./commands/runner.ts";
import { registerSensorCommands } from "./commands/sensor.ts";
import { registerTimerCommands } from "./commands/timer.ts";
import { registerTraceCommands } from "./commands/trace.ts";
import { registerTriggerCommands } from "./commands/trigger.ts";
import { registerWebhookCommands } from "./commands/webhook.ts";
import { registerWhoamiCommands } from "./commands/whoami.ts";
import { registerWorkflowCommands } from "./commands/workflow.ts";
import { addTableOptions, registerCompletionCommand } from "./completion.ts";
import { DEFAULT_API_URL } from "./config.ts";
import type { CliIo, CliRuntime } from "./runtime.ts";

/** First-level commands served over HTTP; anything else may be `up` or a request for help. */
const CLIENT_COMMANDS = new Set([
  "run",
  "execution",
  "action",
  "runner",
  "pack",
  "key",
  "expr",
  "rule",
  "rule-enforcement",
  "trigger",
  "trigger-instance",
  "trace",
  "timer",
  "webhook",
  "workflow",
  "inquiry",
  "sensor",
  "login",
  "auth",
  "whoami",
  "apikey",
  "role",
  "role-assignment",
  "policy",
  "policy-type",
  "action-alias",
]);
/** Global options that take a value, so the value is not mistaken for the command name. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--url", "--config-file"]);

/** Runs the CLI with `argv` as in `process.argv` and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const runtime: CliRuntime = { io, exitCode: 0 };
  const program = buildProgram(runtime);
  const args = argv.slice(2);
  if (!CLIENT_COMMANDS.has(firstOperand(args) ?? "")) {
    const { registerUpCommand } = await import("./commands/up.ts");
    registerUpCommand(program);
  }
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    // exitOverride turns commander's own exits (help, usage errors) into this error; it has
    // already printed its message.
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return runtime.exitCode;
}

export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command("squall");
  program
    .description("Squall: event-driven automation that runs StackStorm content.")
    .option(
      "--url <url>",
      `server URL (default: $SQUALL_API_URL, else ${DEFAULT_API_URL}); auth token from $SQUALL_AUTH_TOKEN`,
    )
    .option(
      "--config-file <path>",
      "CLI config file (default: $SQUALL_CONFIG_FILE, else ~/.squall/config)",
    )
    .option("--json", "print JSON")
    .option("--yaml", "print YAML")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => runtime.io.out(text),
      writeErr: (text) => runtime.io.err(text),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)");

  registerRunCommand(program, runtime);
  registerExecutionCommands(program, runtime);
  registerActionCommands(program, runtime);
  registerPackCommands(program, runtime);
  registerKeyCommands(program, runtime);
  registerExprCommand(program, runtime);
  registerRuleCommands(program, runtime);
  registerTriggerCommands(program, runtime);
  registerTraceCommands(program, runtime);
  registerTimerCommands(program, runtime);
  registerWebhookCommands(program, runtime);
  registerWorkflowCommands(program, runtime);
  registerInquiryCommands(program, runtime);
  registerSensorCommands(program, runtime);
  registerLoginCommands(program, runtime);
  registerAuthCommands(program, runtime);
  registerWhoamiCommands(program, runtime);
  registerApiKeyCommands(program, runtime);
  registerRoleCommands(program, runtime);
  registerRunnerCommands(program, runtime);
  registerPolicyCommands(program, runtime);
  registerActionAliasCommands(program, runtime);
  registerCompletionCommand(program, runtime);
  // Last: it adds -a/--attr and -w/--width to every list/get command registered above.
  addTableOptions(program);
  return program;
}

/** The command name: the first argument that is neither a global option nor its value. */
export function firstOperand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") return args[i + 1];
    if (!arg.startsWith("-")) return arg;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
  }
  return undefined;
}

function processIo(): CliIo {
  // `squall execution list | head` closes the pipe early; that is a normal way to stop reading.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  };
}
