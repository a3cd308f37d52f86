/**
 * The child process of the `nodejs` runner: reads the init message (parameters, config, API
 * credentials) from stdin, runs the action's `run`, and writes the result on the channel.
 * An exception fails the execution; its stack goes to stderr, as Python's traceback does.
 */

import { ParentChannel, readParentMessages } from "./channel.ts";
import { createDatastore } from "./datastore.ts";
import { isActionDefinition, isFailure } from "./define.ts";
import { loadDefinition } from "./load-definition.ts";
import { stderrLogger } from "./logger.ts";

const channel = new ParentChannel();

async function main(): Promise<number> {
  const init = await readParentMessages(
    () => {},
    (reason) => process.stderr.write(`squall: ignored a bad message from Squall: ${reason}\n`),
  );
  if (init.type !== "init" || init.kind !== "action")
    throw new Error("the action host expects an action init message");
  const definition = await loadDefinition(
    init.file_path,
    undefined,
    isActionDefinition,
    "defineAction",
  );
  const ctx = {
    logger: stderrLogger(`${init.pack}.${init.name}`),
    datastore: createDatastore({
      apiUrl: init.api_url,
      token: init.auth_token,
      pack: init.pack,
      className: init.name,
    }),
    config: init.config,
    pack: init.pack,
    executionId: init.execution_id,
  };
  const returned = await definition.run(init.parameters, ctx);
  if (isFailure(returned)) {
    channel.send({ type: "result", status: "failed", result: jsonSafe(returned.result) });
    return 1;
  }
  channel.send({ type: "result", status: "succeeded", result: jsonSafe(returned) });
  return 0;
}

/** Values JSON cannot carry become strings, as StackStorm `str()`s a non-serialisable result. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(
      JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "null",
    );
  } catch {
    return String(value);
  }
}

let code = 1;
try {
  code = await main();
} catch (err) {
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`${error.stack ?? error.message}\n`);
  channel.send({ type: "result", status: "failed", result: null, error: error.message });
  code = 1;
}
await channel.close();
process.exit(code);
