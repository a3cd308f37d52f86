/**
 * The `hosts` runner parameter: a comma-separated list, each entry optionally carrying `:port`
 * (IPv6 addresses need brackets for a port: `[::1]:2222`), split the way StackStorm's
 * `ip_utils.split_host_port` splits it. A bare IP address (v4 or v6) never has a port.
 *
 * Result keys. StackStorm keys each host's result by the host name *without* the port, so two
 * entries for one host on different ports overwrite each other there (one result is lost).
 * Squall keeps StackStorm's key whenever it is unambiguous and falls back to `host:port` only for
 * the entries whose host names collide, so no result is ever dropped. A host listed twice with
 * the same port runs once, as in StackStorm (its clients are keyed by host too).
 *
 * Pure logic: no node: imports.
 */

import { ValidationError } from "../../../core/errors.ts";

export const DEFAULT_SSH_PORT = 22;

export interface SshTarget {
  /** Key of this host's entry in the result. */
  key: string;
  hostname: string;
  port: number;
}

export interface HostPort {
  hostname: string;
  port: number | null;
}

/** One `host[:port]` entry; throws ValidationError on a bad port. */
export function splitHostPort(entry: string, field = "parameters.hosts"): HostPort {
  const text = entry.trim();
  if (text === "") throw new ValidationError("empty host name", { field });
  if (isIpAddress(text)) return { hostname: text, port: null };
  if (text.startsWith("[")) {
    if (/^\[[^\]]*\]$/.test(text)) return { hostname: text.slice(1, -1), port: null };
    const close = text.indexOf("]");
    const rest = text.slice(close + 1);
    if (close < 0 || !rest.startsWith(":")) {
      throw new ValidationError(`host "${entry}": expected [address]:port`, { field });
    }
    return { hostname: text.slice(1, close), port: parsePort(rest.slice(1), entry, field) };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { hostname: text, port: null };
  return { hostname: text.slice(0, colon), port: parsePort(text.slice(colon + 1), entry, field) };
}

function parsePort(text: string, entry: string, field: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValidationError(`host "${entry}": invalid port "${text}"`, { field });
  }
  return port;
}

/** The hosts to run on, in order, each with its port and result key. */
export function parseHosts(hosts: unknown, defaultPort: number | null): SshTarget[] {
  if (typeof hosts !== "string") {
    throw new ValidationError("hosts must be a comma-separated string", {
      field: "parameters.hosts",
    });
  }
  const seen = new Set<string>();
  const entries: { hostname: string; port: number }[] = [];
  for (const raw of hosts.split(",")) {
    if (raw.trim() === "") continue;
    const { hostname, port } = splitHostPort(raw);
    const resolved = { hostname, port: port ?? defaultPort ?? DEFAULT_SSH_PORT };
    const id = `${resolved.hostname}\u0000${resolved.port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    entries.push(resolved);
  }
  if (entries.length === 0) {
    throw new ValidationError("no hosts given to run on", { field: "parameters.hosts" });
  }
  const perName = new Map<string, number>();
  for (const e of entries) perName.set(e.hostname, (perName.get(e.hostname) ?? 0) + 1);
  return entries.map((e) => ({
    ...e,
    key: (perName.get(e.hostname) ?? 0) > 1 ? formatHostPort(e.hostname, e.port) : e.hostname,
  }));
}

export function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function isIpAddress(text: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(text)) {
    return text.split(".").every((part) => Number(part) <= 255);
  }
  // IPv6: at least two colons, hex groups, optional embedded IPv4 tail, optional zone.
  if ((text.match(/:/g) ?? []).length < 2) return false;
  return /^[0-9A-Fa-f:]+(\d{1,3}(\.\d{1,3}){3})?(%[\w.-]+)?$/.test(text) && isValidV6(text);
}

function isValidV6(text: string): boolean {
  const addr = text.split("%")[0] ?? "";
  const doubles = addr.split("::").length - 1;
  if (doubles > 1) return false;
  const groups = addr.split(":").filter((g) => g !== "");
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g) || /^\d{1,3}(\.\d{1,3}){3}$/.test(g))) {
    return false;
  }
  const width = groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  return doubles === 1 ? width < 8 : width === 8;
}
