/**
 * `squall completion bash|zsh`: a shell completion script generated from the command tree, so
 * it can never fall behind the commands. zsh loads the bash script through its own
 * bashcompinit, which keeps one generator for both shells.
 *
 * Also here: `addTableOptions`, which gives every list/get command st2's `-a/--attr` and
 * `-w/--width`, walking the same tree.
 */

import { type Command, Option } from "commander";
import { ValidationError } from "../core/errors.ts";
import { type CliRuntime, runCommand } from "./runtime.ts";

/** Each command's path (`squall execution list`) and the words that may follow it. */
export function completionTable(program: Command): Array<[string, string[]]> {
  const rows: Array<[string, string[]]> = [];
  const visit = (command: Command, path: string) => {
    const children = command.commands.map((c) => c.name());
    const flags = command.options.flatMap((o) => [o.long, o.short]).filter(isString);
    rows.push([path, [...children, ...flags, "--help"]]);
    for (const child of command.commands) visit(child, `${path} ${child.name()}`);
  };
  visit(program, program.name());
  return rows;
}

export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
  const cases = completionTable(program)
    .map(([path, words]) => `    ${shellQuote(path)}) echo ${shellQuote(words.join(" "))} ;;`)
    .join("\n");
  return `# ${name} completion for bash; load it with: source <(${name} completion bash)
${fn}_words() {
  case "$1" in
${cases}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" node=${shellQuote(name)} i next
  for ((i = 1; i < COMP_CWORD; i++)); do
    next="$node \${COMP_WORDS[i]}"
    if [[ -n "$(${fn}_words "$next")" ]]; then node="$next"; fi
  done
  COMPREPLY=($(compgen -W "$(${fn}_words "$node")" -- "$cur"))
}
complete -F ${fn} ${name}
`;
}

export function zshCompletion(program: Command): string {
  const name = program.name();
  return `# ${name} completion for zsh; load it with: source <(${name} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

export function registerCompletionCommand(program: Command, runtime: CliRuntime): void {
  program
    .command("completion")
    .description("Print a shell completion script: source <(squall completion bash)")
    .argument("<shell>", "bash or zsh")
    .action(async (shell: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        if (shell !== "bash" && shell !== "zsh") {
          throw new ValidationError(`completion supports bash and zsh, not "${shell}"`, {
            field: "shell",
          });
        }
        ctx.io.out(shell === "bash" ? bashCompletion(program) : zshCompletion(program));
        return 0;
      });
    });
}

/**
 * Adds `-a/--attr` and `-w/--width` to every `list` and `get` command that has no option of
 * those names already. Call after all groups are registered.
 */
export function addTableOptions(program: Command): void {
  const visit = (command: Command) => {
    const name = command.name();
    if ((name === "list" || name === "get") && command.commands.length === 0) {
      const taken = new Set(command.options.flatMap((o) => [o.long, o.short]).filter(isString));
      if (!taken.has("-a") && !taken.has("--attr"))
        command.addOption(
          new Option("-a, --attr <attrs...>", "attributes to show as columns (e.g. id status)"),
        );
      if (!taken.has("-w") && !taken.has("--width"))
        command.addOption(new Option("-w, --width <widths...>", "column widths, in -a order"));
    }
    for (const child of command.commands) visit(child);
  };
  visit(program);
}

function isString(value: string | undefined): value is string {
  return typeof value === "string";
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
