/**
 * A real OpenSSH server for the remote runner tests: `/usr/sbin/sshd -D -e` on 127.0.0.1 and a
 * free port, with a generated host key and config in a temporary directory. Public-key logins
 * read one authorized-keys file in that directory (for every user); password logins work for
 * users with a password. Root logins are allowed (the test sandbox runs as root).
 *
 * Password and sudo-password tests need a user with a known password. Rather than touch root's,
 * `createTestUser` adds a throwaway user (useradd + chpasswd, password fed on stdin), optionally
 * with a sudoers rule that requires the password, and removes both again.
 *
 * Every wait is bounded; servers and users are also removed when the test process exits.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSHD_BIN = "/usr/sbin/sshd";
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface Sshd {
  host: "127.0.0.1";
  port: number;
  dir: string;
  /** Replaces the authorized-keys file (public key lines). */
  authorize(publicKeys: string[]): void;
  /** Everything sshd logged so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  publicKeys?: string[];
  passwordAuthentication?: boolean;
  allowTcpForwarding?: boolean;
  /** sshd LogLevel (VERBOSE by default; DEBUG1 also logs forwarded channels). */
  logLevel?: string;
}

const cleanups = new Set<() => void>();
process.on("exit", () => {
  for (const cleanup of cleanups) cleanup();
});

export function requireSshd(): void {
  if (!existsSync(SSHD_BIN)) {
    throw new Error(`${SSHD_BIN} is missing: install Debian's openssh-server package`);
  }
  for (const tool of ["ssh-keygen"]) {
    if (spawnSync("which", [tool]).status !== 0) {
      throw new Error(`${tool} is missing: install Debian's openssh-client package`);
    }
  }
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  requireSshd();
  // sshd refuses to start without its privilege-separation directory.
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "squall-sshd-"));
  // Other users (the throwaway test user) must reach the authorized-keys file.
  chmodSync(dir, 0o755);
  const hostKey = join(dir, "host_ed25519");
  runChecked("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  const authorizedKeys = join(dir, "authorized_keys");
  const authorize = (keys: string[]): void => {
    writeFileSync(authorizedKeys, keys.map((k) => `${k.trim()}\n`).join(""), { mode: 0o644 });
  };
  authorize(options.publicKeys ?? []);

  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "PermitRootLogin yes",
      "StrictModes no",
      "UsePAM no",
      "PubkeyAuthentication yes",
      `PasswordAuthentication ${options.passwordAuthentication === false ? "no" : "yes"}`,
      "KbdInteractiveAuthentication no",
      `AllowTcpForwarding ${options.allowTcpForwarding === false ? "no" : "yes"}`,
      "Subsystem sftp internal-sftp",
      "MaxStartups 100",
      "MaxSessions 100",
      `LogLevel ${options.logLevel ?? "VERBOSE"}`,
      "",
    ].join("\n"),
  );

  const child = spawn(SSHD_BIN, ["-D", "-e", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let logText = "";
  child.stdout?.on("data", (d: Buffer) => {
    logText += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    logText += d.toString();
  });
  const cleanup = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);

  await waitFor(
    child,
    () => logText.includes(`Server listening on 127.0.0.1 port ${port}`),
    () => `sshd did not start within ${START_TIMEOUT_MS} ms:\n${logText}`,
  );

  return {
    host: "127.0.0.1",
    port,
    dir,
    authorize,
    log: () => logText,
    async stop() {
      cleanups.delete(cleanup);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const exited = await exitWithin(child, STOP_TIMEOUT_MS);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface KeyPair {
  privateKeyPath: string;
  privateKey: string;
  publicKey: string;
}

/** A fresh key pair (ed25519 unless told otherwise), optionally passphrase-protected. */
export function generateKey(
  dir: string,
  name: string,
  options: { type?: "ed25519" | "rsa" | "ecdsa"; passphrase?: string; pem?: boolean } = {},
): KeyPair {
  const path = join(dir, name);
  const args = ["-q", "-t", options.type ?? "ed25519", "-N", options.passphrase ?? "", "-f", path];
  if (options.pem) args.push("-m", "PEM");
  if (options.type === "rsa") args.push("-b", "2048");
  runChecked("ssh-keygen", args);
  return {
    privateKeyPath: path,
    privateKey: readFileSync(path, "utf8"),
    publicKey: readFileSync(`${path}.pub`, "utf8"),
  };
}

export interface TestUser {
  name: string;
  password: string;
  home: string;
  remove(): void;
}

/**
 * A throwaway local user with a random password (and, with `sudoWithPassword`, a sudoers rule
 * that lets it run anything after giving that password). Needs root.
 */
export function createTestUser(options: { sudoWithPassword?: boolean } = {}): TestUser {
  if (process.getuid?.() !== 0) {
    throw new Error("password-login tests need root to create a throwaway user (useradd)");
  }
  for (const tool of ["useradd", "userdel", "chpasswd"]) {
    if (spawnSync("which", [tool]).status !== 0) {
      throw new Error(`${tool} is missing: install Debian's passwd package`);
    }
  }
  const name = `sq${randomBytes(5).toString("hex")}`;
  const password = `pw-${randomBytes(9).toString("base64url")}`;
  const home = mkdtempSync(join(tmpdir(), "squall-user-"));
  runChecked("useradd", ["-M", "-d", home, "-s", "/bin/bash", name]);
  const sudoers = join("/etc/sudoers.d", name);
  const remove = (): void => {
    rmSync(sudoers, { force: true });
    // -f: a session of the user that is still closing must not keep the account around.
    spawnSync("userdel", ["-f", name]);
    rmSync(home, { recursive: true, force: true });
  };
  cleanups.add(remove);
  try {
    spawnSync("chown", [`${name}:`, home]);
    runChecked("chpasswd", [], `${name}:${password}\n`);
    if (options.sudoWithPassword) {
      if (spawnSync("which", ["sudo"]).status !== 0) {
        throw new Error("sudo is missing: install Debian's sudo package");
      }
      writeFileSync(
        sudoers,
        `Defaults:${name} !lecture, timestamp_timeout=0\n${name} ALL=(ALL) ALL\n`,
        { mode: 0o440 },
      );
    }
  } catch (err) {
    remove();
    cleanups.delete(remove);
    throw err;
  }
  return {
    name,
    password,
    home,
    remove() {
      cleanups.delete(remove);
      remove();
    },
  };
}

function runChecked(command: string, args: string[], input?: string): void {
  const r = spawnSync(command, args, { input, encoding: "utf8" });
  if (r.error) throw new Error(`cannot run ${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(child: ChildProcess, ready: () => boolean, why: () => string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!ready()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`sshd exited (${child.exitCode ?? child.signalCode}): ${why()}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(why());
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exitWithin(child: ChildProcess, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
