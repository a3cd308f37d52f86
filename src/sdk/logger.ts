/** The logger pack code gets: a sensor's records go to Squall over the channel, an action's to stderr. */

import type { ParentChannel } from "./channel.ts";
import type { LogLevel } from "./protocol.ts";

export interface SdkLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warning(message: string, ...args: unknown[]): void;
  /** Alias of `warning`, for JavaScript habits. */
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

function format(message: string, args: unknown[]): string {
  if (args.length === 0) return message;
  const extra = args.map((a) => (typeof a === "string" ? a : safeJson(a)));
  return `${message} ${extra.join(" ")}`;
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function build(write: (level: LogLevel, message: string) => void): SdkLogger {
  return {
    debug: (m, ...a) => write("debug", format(m, a)),
    info: (m, ...a) => write("info", format(m, a)),
    warning: (m, ...a) => write("warning", format(m, a)),
    warn: (m, ...a) => write("warning", format(m, a)),
    error: (m, ...a) => write("error", format(m, a)),
  };
}

export function channelLogger(channel: ParentChannel, name: string): SdkLogger {
  return build((level, message) => channel.send({ type: "log", level, logger: name, message }));
}

/** As StackStorm's Python actions do: log lines on stderr, which the execution's output keeps. */
export function stderrLogger(name: string): SdkLogger {
  return build((level, message) => {
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${name} ${message}\n`);
  });
}
