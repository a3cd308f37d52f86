/**
 * A text/event-stream reader (the WHATWG format the stream endpoints speak). Node's fetch has no
 * EventSource, and a hand-written reader lets the caller decide about reconnecting: the tail
 * command resumes by sequence number, which EventSource's automatic retry would not do.
 */

export interface SseEvent {
  /** `message` when the server sent no `event:` field, as the spec says. */
  event: string;
  data: string;
  id?: string;
}

export async function* readEventStream(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  const state = { pending: newPending() };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    const { complete, rest } = takeCompleteLines(buffer);
    buffer = rest;
    for (const line of complete) {
      const event = applyLine(state, line);
      if (event) yield event;
    }
  }
  // At the end a held-back CR is a line end after all. An event still missing its blank line
  // was cut off mid-flight, and the spec says to drop it.
  const tail = buffer + decoder.decode();
  if (!tail.endsWith("\r")) return;
  for (const line of takeCompleteLines(`${tail.slice(0, -1)}\n`).complete) {
    const event = applyLine(state, line);
    if (event) yield event;
  }
}

interface Pending {
  event: string;
  data: string[];
  id?: string;
}

function newPending(): Pending {
  return { event: "", data: [] };
}

/** Splits on CRLF, LF or CR; a trailing CR stays in `rest` in case its LF is in the next chunk. */
function takeCompleteLines(buffer: string): { complete: string[]; rest: string } {
  const complete: string[] = [];
  let start = 0;
  for (let i = 0; i < buffer.length; i++) {
    const ch = buffer[i];
    if (ch === "\n") {
      complete.push(buffer.slice(start, i));
      start = i + 1;
    } else if (ch === "\r") {
      if (i + 1 === buffer.length) break;
      complete.push(buffer.slice(start, i));
      start = buffer[i + 1] === "\n" ? i + 2 : i + 1;
      if (buffer[i + 1] === "\n") i++;
    }
  }
  return { complete, rest: buffer.slice(start) };
}

/**
 * Applies one line to the event being built. A blank line ends the event and returns it; one
 * without data is discarded, name and all, as the spec says.
 */
function applyLine(state: { pending: Pending }, line: string): SseEvent | undefined {
  const pending = state.pending;
  if (line === "") {
    state.pending = newPending();
    if (pending.data.length === 0) return undefined;
    const event: SseEvent = { event: pending.event || "message", data: pending.data.join("\n") };
    if (pending.id !== undefined) event.id = pending.id;
    return event;
  }
  if (line.startsWith(":")) return undefined;
  const colon = line.indexOf(":");
  const field = colon === -1 ? line : line.slice(0, colon);
  let value = colon === -1 ? "" : line.slice(colon + 1);
  if (value.startsWith(" ")) value = value.slice(1);
  if (field === "event") pending.event = value;
  else if (field === "data") pending.data.push(value);
  else if (field === "id") pending.id = value;
  return undefined;
}
