/**
 * What Squall sends to a remote host to run one command, and how.
 *
 * StackStorm builds one command line, `export K=V … && cd <cwd> && <cmd>` (sorted keys), and
 * sends it as the SSH exec request; with `sudo` it becomes
 * `sudo -E -- bash -c '<that line>'`, and with a sudo password
 * `echo -e '<password>\n' | sudo -S -E -- bash -c '…'`. The remote login shell, sudo and bash
 * therefore all carry the environment values (including ST2_ACTION_AUTH_TOKEN and decrypted
 * secrets) and the sudo password in their `/proc/<pid>/cmdline`, readable by every user there.
 *
 * Squall runs the same shell text, but the exec request is a fixed wrapper that holds nothing
 * from the action: it prints a marker line with its process-group id (so timeout and cancel can
 * kill the whole remote process group later), then reads the rest from the channel's stdin and
 * `eval`s it. The channel's stdin is closed right after, so the command itself sees an empty
 * stdin, exactly as with StackStorm (which closes it at once so interactive commands cannot hang).
 * Under sudo, the text crosses into the root shell in an exported variable (sudo `-E` keeps it,
 * as it keeps the rest of the environment StackStorm relies on) rather than in bash's argv, and
 * the password reaches `sudo -S` through a pipe from the shell's built-in `printf`, so no program
 * is ever started with it as an argument. The root shell then points its stdin at /dev/null, so a
 * password sudo did not need is never read by the command.
 *
 * Differences kept on purpose: no pseudo-terminal for sudo (StackStorm asks for one, merging
 * stderr into stdout and turning "\n" into "\r\n"); Squall keeps the two streams apart, and a
 * sudoers `requiretty` rule is therefore not satisfied. StackStorm's HISTFILE/HISTSIZE exports
 * (meant to keep its sudo password out of shell history) are not needed and not set.
 *
 * Pure logic: no node: imports.
 */

import { ValidationError } from "../../../core/errors.ts";
import { quoteShell } from "../shell-args.ts";

/** First stdout line of every run: `<marker><pgid>`; the runner strips it from the output. */
export const PGID_MARKER = "__squall_remote_pgid=";

/**
 * The exec request. sshd runs it with the login shell (`$SHELL -c`) as a new session, so `$$` is
 * also the process-group id of everything the command starts. POSIX sh syntax only.
 */
export const REMOTE_WRAPPER = `echo ${PGID_MARKER}$$; eval "$(cat)"`;

/** Variable that carries the command text through sudo (see above). */
const SUDO_SCRIPT_VAR = "__SQUALL_SCRIPT";
const SUDO_INNER = `exec </dev/null; __s=$${SUDO_SCRIPT_VAR}; unset ${SUDO_SCRIPT_VAR}; eval "$__s"`;

export interface RemoteCommandInput {
  /** Shell text to run (the rendered `cmd`, or the quoted script path with its arguments). */
  command: string;
  env: Record<string, string>;
  /** Already in shell syntax (quoted or deliberately left raw); null = no `cd`. */
  cwdShell: string | null;
  sudo: boolean;
  sudoPassword: string | null;
}

/** The text written to the wrapper's stdin. */
export function buildRemotePayload(input: RemoteCommandInput): string {
  const parts: string[] = [];
  const exports = exportString(input.env);
  if (exports !== "") parts.push(exports);
  if (input.cwdShell !== null) parts.push(`cd ${input.cwdShell}`);
  parts.push(input.command);
  const line = parts.join(" && ");
  if (!input.sudo) return `${line}\n`;

  const sudoFlags = input.sudoPassword ? "-S -E" : "-E";
  const sudo = `sudo ${sudoFlags} -- bash -c ${quoteShell(SUDO_INNER)}`;
  const lines = [`export ${SUDO_SCRIPT_VAR}=${quoteShell(line)}`];
  if (input.sudoPassword) {
    lines.push(`__squall_pw=${quoteShell(input.sudoPassword)}`);
    lines.push(`printf '%s\\n' "$__squall_pw" | ${sudo}`);
  } else {
    lines.push(sudo);
  }
  return `${lines.join("\n")}\n`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export A='1' B='2'`, keys sorted as StackStorm sorts them; "" when there is nothing. */
export function exportString(env: Record<string, string>): string {
  const keys = Object.keys(env).sort();
  if (keys.length === 0) return "";
  for (const key of keys) {
    if (!ENV_NAME.test(key)) {
      throw new ValidationError(`env: "${key}" is not a valid environment variable name`, {
        field: `parameters.env.${key}`,
      });
    }
  }
  return `export ${keys.map((k) => `${k}=${quoteShell(env[k] ?? "")}`).join(" ")}`;
}

/**
 * Shell text that kills the remote process group `pgid`: TERM, then up to `graceSeconds` for it
 * to go, then KILL. Run over a fresh channel of the same connection.
 */
export function killGroupCommand(pgid: number, graceSeconds: number): string {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`bad process group ${pgid}`);
  const rounds = Math.max(1, Math.ceil(graceSeconds * 10));
  return [
    `kill -TERM -- -${pgid} 2>/dev/null || exit 0`,
    `i=0; while [ $i -lt ${rounds} ] && kill -0 -- -${pgid} 2>/dev/null; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -- -${pgid} 2>/dev/null; exit 0`,
  ].join("; ");
}
