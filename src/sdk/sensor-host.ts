/**
 * The child process of a TypeScript sensor. Lifecycle, as StackStorm's sensor wrapper:
 * setup → run (a polling sensor's run is poll, sleep, repeat) → cleanup on stop. Trigger
 * changes from Squall become onTriggerAdded/Updated/Removed calls, one at a time.
 *
 * Exit codes: 0 after an orderly stop; 1 when setup, run or poll throws (Squall respawns the
 * sensor then); 2 when the file cannot be loaded.
 */

import { ParentChannel, readParentMessages } from "./channel.ts";
import { createDatastore } from "./datastore.ts";
import { isSensorDefinition, type SensorContext, type SensorDefinition } from "./define.ts";
import { loadDefinition } from "./load-definition.ts";
import { channelLogger } from "./logger.ts";
import type { ParentMessage, SensorInit } from "./protocol.ts";

const DEFAULT_POLL_INTERVAL_SECONDS = 5;

const channel = new ParentChannel();
const stopping = new AbortController();
let changes: Promise<void> = Promise.resolve();
let definition: SensorDefinition | null = null;
let context: SensorContext | null = null;
const early: ParentMessage[] = [];

function onMessage(message: ParentMessage): void {
  if (message.type === "stop") {
    stopping.abort();
    return;
  }
  if (!definition || !context) {
    early.push(message);
    return;
  }
  applyChange(definition, context, message);
}

function applyChange(def: SensorDefinition, ctx: SensorContext, message: ParentMessage): void {
  if (message.type === "init" || message.type === "stop") return;
  const hook =
    message.type === "add_trigger"
      ? def.onTriggerAdded
      : message.type === "update_trigger"
        ? def.onTriggerUpdated
        : def.onTriggerRemoved;
  if (!hook) return;
  changes = changes.then(async () => {
    try {
      await hook.call(def, message.trigger, ctx);
    } catch (err) {
      ctx.logger.error(`${message.type} failed for trigger ${message.trigger.ref}:`, err);
    }
  });
}

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // setTimeout cannot wait forever (it clamps huge delays to 1 ms): no timer then.
    const timer = Number.isFinite(seconds) ? setTimeout(done, seconds * 1000) : undefined;
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

function buildContext(init: SensorInit, def: SensorDefinition): SensorContext {
  const loggerName = `SensorWrapper.${init.pack}.${init.class_name}`;
  const logger = channelLogger(channel, loggerName);
  let pollInterval = init.poll_interval ?? def.pollInterval ?? DEFAULT_POLL_INTERVAL_SECONDS;
  return {
    service: {
      dispatch(trigger, payload = null, traceTag) {
        channel.send({
          type: "dispatch",
          trigger,
          payload,
          ...(traceTag ? { trace_tag: traceTag } : {}),
        });
      },
      dispatchWithContext(trigger, payload = null, traceContext) {
        channel.send({
          type: "dispatch",
          trigger,
          payload,
          ...(traceContext ? { trace_context: traceContext } : {}),
        });
      },
      logger,
      getLogger: (name) => channelLogger(channel, `${loggerName}.${name}`),
      datastore: createDatastore({
        apiUrl: init.api_url,
        token: init.auth_token,
        pack: init.pack,
        className: init.class_name,
      }),
    },
    config: init.config,
    logger,
    signal: stopping.signal,
    getPollInterval: () => pollInterval,
    setPollInterval: (seconds) => {
      if (!(seconds > 0))
        throw new RangeError("poll interval must be a positive number of seconds");
      pollInterval = seconds;
    },
  };
}

async function main(): Promise<number> {
  const init = await readParentMessages(onMessage, (reason) =>
    process.stderr.write(`squall: ignored a bad message from Squall: ${reason}\n`),
  );
  if (init.type !== "init" || init.kind !== "sensor")
    throw new Error("the sensor host expects a sensor init message");
  let def: SensorDefinition;
  try {
    def = await loadDefinition(init.file_path, init.class_name, isSensorDefinition, "defineSensor");
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
  const ctx = buildContext(init, def);
  ctx.logger.info("Running sensor initialization code");
  await def.setup?.(ctx);
  definition = def;
  context = ctx;
  for (const m of early.splice(0)) applyChange(def, ctx, m);
  try {
    if (def.poll) {
      ctx.logger.info(`Running sensor in active mode (poll interval=${ctx.getPollInterval()}s)`);
      while (!stopping.signal.aborted) {
        await def.poll(ctx);
        await sleep(ctx.getPollInterval(), stopping.signal);
      }
    } else {
      ctx.logger.info("Running sensor in passive mode");
      await def.run?.(ctx);
      // A passive sensor whose run returns early stays up for its trigger hooks until stopped.
      await sleep(Number.POSITIVE_INFINITY, stopping.signal);
    }
  } finally {
    await changes;
    ctx.logger.info("Invoking cleanup on sensor");
    await def.cleanup?.(ctx);
  }
  return 0;
}

process.on("SIGTERM", () => stopping.abort());
let code = 1;
try {
  code = await main();
} catch (err) {
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`Sensor run raised an exception: ${error.stack ?? error.message}\n`);
  code = 1;
}
await channel.close();
process.exit(code);
