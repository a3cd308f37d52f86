/**
 * linux.wait_for_ssh: waits until an SSH server accepts a login. Each attempt opens an SSH
 * connection and authenticates (StackStorm's action does the same through paramiko), so a port
 * that is open but not yet serving logins does not count; between failed attempts it sleeps
 * `sleep_delay` seconds. Written in TypeScript on ssh2, the SSH library Squall's remote runners
 * use, so credentials stay inside this process (never on a command line).
 */

import { readFileSync } from "node:fs";
import { defineAction } from "squall/sdk";
import { Client, type ConnectConfig } from "ssh2";

/** StackStorm's `[system_user] ssh_key_file` default, used when no password or key is given. */
const SYSTEM_KEY_FILE = "/home/stanley/.ssh/stanley_rsa";

function attempt(config: ConnectConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .once("ready", () => {
        client.end();
        resolve();
      })
      .once("error", (err) => {
        client.end();
        reject(err);
      })
      .connect(config);
  });
}

export default defineAction({
  parameters: {
    hostname: { type: "string", required: true },
    port: { type: "integer", default: 22 },
    username: { type: "string", default: "stanley" },
    password: { type: "string", secret: true },
    keyfile: { type: "string" },
    passphrase: { type: "string", secret: true },
    ssh_timeout: { type: "integer", default: 5 },
    sleep_delay: { type: "integer", default: 20 },
    retries: { type: "integer", default: 10 },
  },
  async run(params, ctx) {
    const config: ConnectConfig = {
      host: params.hostname,
      port: params.port,
      username: params.username,
      readyTimeout: params.ssh_timeout * 1000,
      // As StackStorm (paramiko's AutoAddPolicy): any host key is accepted.
      hostVerifier: () => true,
    };
    if (params.password) config.password = params.password;
    else {
      const keyfile = params.keyfile || SYSTEM_KEY_FILE;
      if (!params.keyfile)
        ctx.logger.info(`neither password nor keyfile given; using the key file ${keyfile}`);
      try {
        config.privateKey = readFileSync(keyfile);
      } catch (err) {
        throw new Error(`cannot read the key file ${keyfile}: ${(err as Error).message}`);
      }
      if (params.passphrase) config.passphrase = params.passphrase;
    }
    const retries = Math.max(1, params.retries);
    for (let n = 1; n <= retries; n++) {
      try {
        ctx.logger.debug(`SSH connection attempt ${n} to ${params.hostname}:${params.port}`);
        await attempt(config);
        return true;
      } catch (err) {
        ctx.logger.info(`attempt ${n} failed (${(err as Error).message})`);
        if (n < retries) await new Promise((r) => setTimeout(r, params.sleep_delay * 1000));
      }
    }
    throw new Error(`Exceeded max retries (${retries})`);
  },
});
