/**
 * The child's end of the protocol: messages to the parent on fd 3, messages from the parent on
 * stdin. Only the host processes (action-host.ts, sensor-host.ts) use this; pack code sees the
 * typed service objects built on top of it.
 */

import { createWriteStream } from "node:fs";
import { Socket } from "node:net";
import type { Writable } from "node:stream";
import {
  CHANNEL_FD,
  type ChildMessage,
  encodeMessage,
  LineSplitter,
  type ParentMessage,
} from "./protocol.ts";
import { parseParentMessage } from "./protocol-parse.ts";

export class ParentChannel {
  private readonly out: Writable;

  constructor() {
    // Squall opens fd 3 as a pipe (a socket pair); writes are queued in order and flushed by
    // `close`. Anything else there (a file, when a person runs the host by hand) gets a file stream.
    try {
      this.out = new Socket({ fd: CHANNEL_FD, readable: false, writable: true });
    } catch {
      this.out = createWriteStream("", { fd: CHANNEL_FD });
    }
    this.out.on("error", () => {
      // The parent went away; nothing left to tell it.
    });
  }

  send(message: ChildMessage): void {
    this.out.write(encodeMessage(message));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/**
 * Reads parent messages from stdin: the first one (init) resolves `first`, the rest go to
 * `onMessage`; end of input is reported as a `stop`.
 */
export function readParentMessages(
  onMessage: (message: ParentMessage) => void,
  onBadLine: (reason: string) => void,
): Promise<ParentMessage> {
  return new Promise((resolve, reject) => {
    let first = true;
    const splitter = new LineSplitter((line) => {
      const parsed = parseParentMessage(line);
      if (!parsed.ok) {
        if (first) reject(new Error(`bad init message from Squall: ${parsed.reason}`));
        else onBadLine(parsed.reason);
        first = false;
        return;
      }
      if (first) {
        first = false;
        resolve(parsed.message);
      } else onMessage(parsed.message);
    });
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => splitter.push(chunk));
    process.stdin.on("end", () => {
      splitter.end();
      if (first) reject(new Error("Squall closed stdin before sending the init message"));
      else onMessage({ type: "stop" });
    });
  });
}
