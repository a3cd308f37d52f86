/**
 * Where the CLI's settings come from, st2-style: command-line flags, then environment
 * variables, then the INI file `~/.squall/config` (same layout as st2's `~/.st2/config`), then
 * defaults. Pure given its inputs (the file is read through a callback), so the precedence is
 * table-tested.
 *
 * st2's variable names are honoured after Squall's own, so a shell set up for st2 keeps
 * working: ST2_API_URL, ST2_BASE_URL, ST2_AUTH_TOKEN, ST2_API_KEY, ST2_CONFIG_FILE.
 * Credentials ([credentials] username/password) are read by the login code, not here.
 */

import { ValidationError } from "../core/errors.ts";
import { DEFAULT_API_URL, type OutputFormat } from "./config.ts";

export type Ini = Record<string, Record<string, string>>;

/** Parses INI text: `[section]`, `key = value` (or `key: value`), `#`/`;` comment lines. */
export function parseIni(text: string, file: string): Ini {
  const out: Ini = {};
  let section: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = (header[1] ?? "").trim();
      out[name] ??= {};
      section = out[name];
      return;
    }
    const sep = line.search(/[=:]/);
    if (sep <= 0 || section === undefined) {
      throw new ValidationError(
        `${file}:${index + 1}: expected "[section]" or "key = value", got "${line.slice(0, 80)}"`,
        { field: file },
      );
    }
    section[line.slice(0, sep).trim()] = line.slice(sep + 1).trim();
  });
  return out;
}

export interface SettingsFlags {
  url?: string;
  configFile?: string;
  json?: boolean;
  yaml?: boolean;
}

export interface Settings {
  /** The server's base URL, as given (config.ts normalises it). */
  url: string;
  /** Where `url` came from, for error messages: a flag, a variable or a config file entry. */
  urlSource: string;
  format: OutputFormat;
  /** The environment with st2's token and key variables mapped to Squall's names. */
  env: Record<string, string | undefined>;
  /** The config file that was read, if any. */
  configFile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a file's text, or undefined when it does not exist. */
export type ReadText = (path: string) => string | undefined;

/** Environment variables naming the server, first found wins. */
const URL_VARIABLES = ["SQUALL_API_URL", "SQUALL_BASE_URL", "ST2_API_URL", "ST2_BASE_URL"];

/** Config file entries naming the server: st2's `[api] url` and `[general] base_url`. */
const URL_ENTRIES: Array<[string, string]> = [
  ["general", "api_url"],
  ["api", "url"],
  ["general", "base_url"],
];

export function defaultConfigPath(env: Env): string | undefined {
  const home = nonEmpty(env.HOME);
  return home === undefined ? undefined : `${home.replace(/\/+$/, "")}/.squall/config`;
}

export function resolveSettings(flags: SettingsFlags, env: Env, read: ReadText): Settings {
  const explicit =
    nonEmpty(flags.configFile) ?? nonEmpty(env.SQUALL_CONFIG_FILE) ?? nonEmpty(env.ST2_CONFIG_FILE);
  const path = explicit ?? defaultConfigPath(env);
  let ini: Ini = {};
  let configFile: string | undefined;
  if (path !== undefined) {
    const text = read(path);
    if (text === undefined && explicit !== undefined) {
      throw new ValidationError(`config file ${path} does not exist`, { field: "--config-file" });
    }
    if (text !== undefined) {
      ini = parseIni(text, path);
      configFile = path;
    }
  }

  let url = DEFAULT_API_URL;
  let urlSource = "the default";
  const fromFlag = nonEmpty(flags.url);
  const fromEnv = URL_VARIABLES.find((name) => nonEmpty(env[name]) !== undefined);
  const fromFile = URL_ENTRIES.find(([s, k]) => nonEmpty(ini[s]?.[k]) !== undefined);
  if (fromFlag !== undefined) [url, urlSource] = [fromFlag, "--url"];
  else if (fromEnv !== undefined) [url, urlSource] = [nonEmpty(env[fromEnv]) ?? url, fromEnv];
  else if (fromFile !== undefined) {
    const [s, k] = fromFile;
    [url, urlSource] = [nonEmpty(ini[s]?.[k]) ?? url, `${path} [${s}] ${k}`];
  }
  checkUrl(url, urlSource);

  return {
    url,
    urlSource,
    format: outputFormat(flags, ini, path ?? ""),
    env: {
      ...env,
      SQUALL_AUTH_TOKEN: nonEmpty(env.SQUALL_AUTH_TOKEN) ?? nonEmpty(env.ST2_AUTH_TOKEN),
      SQUALL_API_KEY: nonEmpty(env.SQUALL_API_KEY) ?? nonEmpty(env.ST2_API_KEY),
    },
    ...(configFile !== undefined ? { configFile } : {}),
  };
}

function outputFormat(flags: SettingsFlags, ini: Ini, path: string): OutputFormat {
  if (flags.json && flags.yaml) {
    throw new ValidationError("choose one of --json or --yaml, not both", { field: "--json" });
  }
  if (flags.json) return "json";
  if (flags.yaml) return "yaml";
  const configured = nonEmpty(ini.cli?.output);
  if (configured === undefined) return "table";
  if (configured === "table" || configured === "json" || configured === "yaml") return configured;
  throw new ValidationError(
    `${path} [cli] output must be table, json or yaml; got "${configured.slice(0, 40)}"`,
    { field: "output" },
  );
}

function checkUrl(raw: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ValidationError(`${source} is not a valid URL: "${raw}"`, { field: source });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ValidationError(`${source} must be an http:// or https:// URL, got "${raw}"`, {
      field: source,
    });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
