/**
 * One remote stream (stdout or stderr): bytes decoded as UTF-8 across chunk boundaries, whole
 * lines streamed to the sink as they arrive, and a bounded copy kept for the result (beyond
 * `max` bytes the result keeps the head and a marker line; streaming still sees everything).
 *
 * For stdout it also removes the wrapper's process-group marker line (remote-command.ts): the
 * marker is expected first, but a login shell that prints something at start-up (a chatty
 * .bashrc) may come before it, so lines are held back until the marker has been seen.
 */

import { StringDecoder } from "node:string_decoder";
import { PGID_MARKER } from "./remote-command.ts";

/** Longest partial line held back before it is streamed anyway. */
const MAX_PENDING_LINE = 64 * 1024;
/** How much stdout may go by without the marker before we stop looking for it. */
const MAX_MARKER_SEARCH = 64 * 1024;

export class RemoteStream {
  private readonly decoder = new StringDecoder("utf8");
  private readonly parts: string[] = [];
  private bytes = 0;
  private truncatedBytes = 0;
  private pending = "";
  private searching: boolean;
  private searched = 0;
  /** Set once the wrapper's marker line has been read. */
  pgid: number | null = null;

  constructor(
    private readonly stream: "stdout" | "stderr",
    private readonly max: number,
    private readonly sink: (stream: "stdout" | "stderr", data: string) => void,
    expectMarker: boolean,
  ) {
    this.searching = expectMarker;
  }

  add(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text !== "") this.addText(text);
  }

  /** End of stream: everything still held is kept and streamed. */
  finish(): void {
    const rest = this.decoder.end();
    if (rest !== "") this.addText(rest);
    this.searching = false;
    if (this.pending !== "") this.release(this.pending);
    this.pending = "";
  }

  text(): string {
    const captured = this.parts.join("");
    if (this.truncatedBytes === 0) return captured;
    return `${captured}\n[squall: ${this.truncatedBytes} more bytes of ${this.stream} not kept]`;
  }

  private addText(text: string): void {
    this.pending += text;
    for (;;) {
      const nl = this.pending.indexOf("\n");
      if (nl < 0) break;
      const line = this.pending.slice(0, nl + 1);
      this.pending = this.pending.slice(nl + 1);
      if (this.searching && this.takeMarker(line)) continue;
      this.release(line);
    }
    if (this.pending.length > MAX_PENDING_LINE) {
      this.release(this.pending);
      this.pending = "";
    }
  }

  private takeMarker(line: string): boolean {
    const body = line.replace(/\r?\n$/, "");
    if (body.startsWith(PGID_MARKER)) {
      const pgid = Number(body.slice(PGID_MARKER.length));
      if (Number.isInteger(pgid) && pgid > 1) {
        this.pgid = pgid;
        this.searching = false;
        return true;
      }
    }
    this.searched += line.length;
    if (this.searched > MAX_MARKER_SEARCH) this.searching = false;
    return false;
  }

  private release(data: string): void {
    const size = Buffer.byteLength(data);
    if (this.bytes + size <= this.max) {
      this.parts.push(data);
      this.bytes += size;
    } else {
      this.truncatedBytes += size;
    }
    try {
      this.sink(this.stream, data);
    } catch {
      // A failing sink must not break the run; the result still holds the output.
    }
  }
}
