/**
 * One SSH connection to one host, optionally tunnelled through a bastion host: Squall logs in
 * to the bastion with the same credentials, opens a `direct-tcpip` channel from it to the target
 * (as StackStorm does through paramiko), and runs the target's SSH session inside that channel.
 *
 * Host keys are accepted without checking, as StackStorm's `AutoAddPolicy` does. Everything runs
 * inside this process (ssh2 is pure JavaScript): credentials never reach a command line.
 */

import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { SquallError } from "../../../core/errors.ts";
import type { SshAuth } from "./credentials.ts";
import { ssh2 } from "./library.ts";

/** The connection or login failed (refused, timed out, authentication rejected, bastion). */
export class SshConnectError extends SquallError {
  override readonly code: string = "ssh_connect_error";
}

export interface Endpoint {
  hostname: string;
  port: number;
}

export interface ConnectOptions {
  auth: SshAuth;
  bastion: Endpoint | null;
  /** Milliseconds allowed for each handshake and login. */
  readyTimeoutMs: number;
  signal: AbortSignal;
}

export class SshConnection {
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly bastion: Client | null,
  ) {}

  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.end();
    this.bastion?.end();
  }
}

export async function openConnection(
  target: Endpoint,
  options: ConnectOptions,
): Promise<SshConnection> {
  let bastion: Client | null = null;
  try {
    let sock: ClientChannel | undefined;
    if (options.bastion) {
      bastion = await login(options.bastion, options, undefined, "bastion host ");
      sock = await forward(bastion, target, options.bastion);
    }
    const client = await login(target, options, sock, "");
    // The tunnel dies with the bastion: make sure the target connection notices.
    bastion?.on("close", () => client.end());
    return new SshConnection(client, bastion);
  } catch (err) {
    bastion?.end();
    throw err;
  }
}

function login(
  endpoint: Endpoint,
  options: ConnectOptions,
  sock: ClientChannel | undefined,
  what: string,
): Promise<Client> {
  const config: ConnectConfig = {
    host: endpoint.hostname,
    port: endpoint.port,
    username: options.auth.username,
    readyTimeout: options.readyTimeoutMs,
    // Only the given credentials: no agent, no keyboard-interactive prompts.
    tryKeyboard: false,
  };
  if (options.auth.password !== undefined) config.password = options.auth.password;
  if (options.auth.privateKey !== undefined) config.privateKey = options.auth.privateKey;
  if (options.auth.passphrase !== undefined) config.passphrase = options.auth.passphrase;
  if (sock) config.sock = sock;

  return new Promise((resolve, reject) => {
    const client = new (ssh2().Client)();
    let settled = false;
    const where = `${what}${endpoint.hostname} port ${endpoint.port} as ${options.auth.username}`;
    const onAbort = (): void => fail(new SshConnectError(`connection to ${where} canceled`));
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      client.end();
      reject(
        err instanceof SshConnectError
          ? err
          : new SshConnectError(`Error connecting to ${where}: ${err.message}`, { cause: err }),
      );
    };
    client.on("ready", () => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      resolve(client);
    });
    client.on("error", fail);
    client.on("close", () => fail(new SshConnectError(`connection to ${where} closed`)));
    if (options.signal.aborted) {
      onAbort();
      return;
    }
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      client.connect(config);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function forward(bastion: Client, target: Endpoint, via: Endpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    bastion.forwardOut("127.0.0.1", 0, target.hostname, target.port, (err, channel) => {
      if (err) {
        reject(
          new SshConnectError(
            `bastion host ${via.hostname} could not open a channel to ${target.hostname} port ${target.port}: ${err.message}`,
            { cause: err },
          ),
        );
      } else {
        resolve(channel);
      }
    });
  });
}
