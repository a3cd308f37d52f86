/**
 * The sensor container: one supervised child process per enabled sensor (supervisor.ts),
 * kept in line with the content store by `sync()`, which Squall calls whenever sensors or
 * rules may have changed (pack registration, `PUT /sensortypes/{ref}`, rule changes).
 *
 * What a sensor dispatches becomes a trigger instance through the reactor's dispatcher, like
 * a webhook's. Every spawn and exit is itself announced as `core.st2.sensor.process_spawn` /
 * `process_exit`, with StackStorm's payloads.
 */

import type { SensorDef } from "../../core/content/model.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { isParameterised } from "../../core/reactor/system-triggers.ts";
import type { ChildMessage } from "../../sdk/protocol.ts";
import type { Logger } from "../logger.ts";
import { createPackConfigLoader, type PackConfigLoader } from "../python/pack-config.ts";
import type { Dispatcher } from "../reactor/dispatcher.ts";
import type { TriggerRegistry } from "../reactor/trigger-registry.ts";
import { MAX_PAGE_SIZE, type Page, type PageResult, type Store } from "../store/contract.ts";
import { DEFAULT_RESPAWN_POLICY, type RespawnPolicy } from "./backoff.ts";
import { launchSpec, PYTHON_SHIM_PATH, sensorLanguage } from "./launch.ts";
import { SensorSupervisor } from "./supervisor.ts";

export const SENSOR_SPAWN_TRIGGER = "core.st2.sensor.process_spawn";
export const SENSOR_EXIT_TRIGGER = "core.st2.sensor.process_exit";
export const DEFAULT_STOP_GRACE_MS = 5_000;

export interface SensorContainerDeps {
  store: Pick<Store, "content" | "reactor">;
  dispatcher: Pick<Dispatcher, "dispatchTrigger">;
  registry: Pick<TriggerRegistry, "ensureTrigger" | "isListened" | "triggerType">;
  log: Logger;
  /**
   * The config a sensor gets as `self.config` (the node passes its rendering loader, see
   * content/config-render.ts); default: the stored config, templates unrendered.
   */
  loadConfig?: PackConfigLoader;
  /** Base URL of the API including /api/v1, handed to sensors for datastore calls. */
  apiUrl: () => string;
  /** A token for the sensor's API calls; absent (or "") while auth is off. */
  issueToken?: (sensor: SensorDef) => Promise<string>;
  /** The Python interpreter for a pack (its virtualenv's, when it has one); default python3. */
  pythonFor?: (pack: { ref: string; path: string }) => string | Promise<string>;
  /** Node binary for TypeScript sensors; default this process's. */
  nodeBinary?: string;
  /** Directory holding Squall's Python shim (squall_shim, st2reactor, st2common). */
  shimPath?: string;
  respawn?: Partial<RespawnPolicy>;
  /** Grace before SIGTERM, and again before SIGKILL, when a sensor is stopped. */
  stopGraceMs?: number;
  baseEnv?: Record<string, string | undefined>;
  now?: () => number;
  /** Aborting it stops every sensor; `done` settles once they are gone. */
  signal: AbortSignal;
}

export interface SensorProcessInfo {
  ref: string;
  pid: number | undefined;
  spawns: number;
}

export interface SensorContainer {
  /** Re-reads sensors and triggers: starts new/enabled sensors, stops disabled/removed/changed ones, and sends trigger changes. */
  sync(): Promise<void>;
  running(): SensorProcessInfo[];
  done: Promise<void>;
}

async function listEvery<T>(list: (page: Page) => Promise<PageResult<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await list({ limit: MAX_PAGE_SIZE, offset });
    out.push(...page.items);
    if (page.items.length < MAX_PAGE_SIZE) return out;
  }
}

/** The fields whose change means the process must be restarted. */
function launchKey(sensor: SensorDef): string {
  return JSON.stringify([
    sensor.entry_point,
    sensor.class_name,
    sensor.poll_interval,
    sensor.trigger_types,
  ]);
}

export async function startSensorContainer(deps: SensorContainerDeps): Promise<SensorContainer> {
  const policy = { ...DEFAULT_RESPAWN_POLICY, ...deps.respawn };
  const grace = deps.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const now = deps.now ?? Date.now;
  const running = new Map<string, { supervisor: SensorSupervisor; key: string }>();
  const loadConfig = deps.loadConfig ?? createPackConfigLoader(deps.store.content);
  let queue: Promise<void> = Promise.resolve();

  const emit = (ref: string, payload: Record<string, unknown>, log: Logger) =>
    deps.dispatcher.dispatchTrigger(ref, payload, {}).catch((err: unknown) => {
      log.warn({ err, trigger: ref }, "could not dispatch the sensor process trigger");
    });

  async function dispatch(
    sensor: SensorDef,
    message: Extract<ChildMessage, { type: "dispatch" }>,
    log: Logger,
  ) {
    const target = message.trigger;
    try {
      const ref =
        typeof target === "string"
          ? target
          : (await deps.registry.ensureTrigger(target.type, target.parameters ?? {})).ref;
      const traceTag = message.trace_tag ?? message.trace_context?.trace_tag;
      await deps.dispatcher.dispatchTrigger(
        ref,
        message.payload ?? {},
        traceTag ? { traceTag } : {},
      );
    } catch (err) {
      // As StackStorm: an unknown trigger or an invalid payload is logged, the sensor goes on.
      log.warn(
        { err, trigger: target },
        `sensor ${sensor.ref}: dispatch not done: ${(err as Error).message}`,
      );
    }
  }

  function supervise(sensor: SensorDef): SensorSupervisor {
    const log = deps.log.child({ sensor: sensor.ref });
    let dispatches: Promise<void> = Promise.resolve();
    return new SensorSupervisor(
      sensor.ref,
      {
        async prepare() {
          const pack = await deps.store.content.getPack(sensor.pack);
          if (!pack) throw new Error(`pack ${sensor.pack} is not registered`);
          const language = sensorLanguage(sensor);
          return launchSpec({
            sensor,
            packPath: pack.path,
            config: await loadConfig(sensor.pack),
            apiUrl: deps.apiUrl(),
            token: (await deps.issueToken?.(sensor)) ?? "",
            python:
              language === "python"
                ? await (deps.pythonFor?.({ ref: pack.ref, path: pack.path }) ?? "python3")
                : "",
            node: deps.nodeBinary ?? process.execPath,
            shimPath: deps.shimPath ?? PYTHON_SHIM_PATH,
            baseEnv: deps.baseEnv ?? process.env,
          });
        },
        onSpawn(pid, cmd) {
          log.info({ pid }, "sensor process started");
          void emit(
            SENSOR_SPAWN_TRIGGER,
            { id: sensor.class_name, timestamp: Math.floor(now() / 1000), pid, cmd },
            log,
          );
        },
        onExit(exitCode, respawnInMs) {
          if (respawnInMs === null) log.info({ exitCode }, "sensor process exited");
          else log.warn({ exitCode, respawnInMs }, "sensor process crashed; respawning");
          void emit(
            SENSOR_EXIT_TRIGGER,
            { id: sensor.class_name, timestamp: Math.floor(now() / 1000), exit_code: exitCode },
            log,
          );
        },
        onMessage(message) {
          if (message.type === "dispatch") {
            // In order, one at a time: a sensor's events keep their order as instances.
            dispatches = dispatches.then(() => dispatch(sensor, message, log));
          } else if (message.type === "log") {
            const level =
              message.level === "warning"
                ? "warn"
                : message.level === "critical"
                  ? "fatal"
                  : message.level;
            log[level]({ logger: message.logger }, message.message);
          }
        },
        onOutput(stream, line) {
          log.info({ stream }, line);
        },
        onProblem(text, err) {
          log.warn(err ? { err } : {}, text);
        },
      },
      policy,
      grace,
      now,
    );
  }

  /** Triggers of the sensor's parameterised types that enabled rules listen on. */
  async function triggersFor(sensor: SensorDef): Promise<TriggerDef[]> {
    const out: TriggerDef[] = [];
    for (const typeRef of sensor.trigger_types) {
      const type = deps.registry.triggerType(typeRef);
      if (!type || !isParameterised(type)) continue;
      const triggers = await listEvery((page) =>
        deps.store.reactor.listTriggers({ type: typeRef }, page),
      );
      out.push(...triggers.filter((t) => deps.registry.isListened(t.ref)));
    }
    return out;
  }

  async function syncNow(): Promise<void> {
    if (deps.signal.aborted) return;
    const sensors = await listEvery((page) => deps.store.content.listSensors({}, page));
    const wanted = new Map(sensors.filter((s) => s.enabled).map((s) => [s.ref, s]));
    const stops: Promise<void>[] = [];
    for (const [ref, entry] of running) {
      const sensor = wanted.get(ref);
      if (!sensor || launchKey(sensor) !== entry.key) {
        running.delete(ref);
        deps.log.info(
          { sensor: ref },
          sensor ? "sensor changed; restarting it" : "stopping sensor",
        );
        stops.push(entry.supervisor.stop());
      }
    }
    await Promise.all(stops);
    for (const sensor of wanted.values()) {
      let entry = running.get(sensor.ref);
      if (!entry) {
        try {
          sensorLanguage(sensor);
        } catch (err) {
          deps.log.warn({ sensor: sensor.ref, file: sensor.metadata_file }, (err as Error).message);
          continue;
        }
        entry = { supervisor: supervise(sensor), key: launchKey(sensor) };
        running.set(sensor.ref, entry);
        entry.supervisor.setTriggers(await triggersFor(sensor));
        entry.supervisor.start();
      } else entry.supervisor.setTriggers(await triggersFor(sensor));
    }
  }

  function sync(): Promise<void> {
    const next = queue.then(syncNow);
    queue = next.catch((err: unknown) => deps.log.error({ err }, "sensor sync failed"));
    return next;
  }

  const done = new Promise<void>((resolve) => {
    const shutdown = () => {
      queue = queue.then(async () => {
        const all = [...running.values()].map((e) => e.supervisor.stop());
        running.clear();
        await Promise.all(all);
      });
      queue.then(resolve, resolve);
    };
    if (deps.signal.aborted) shutdown();
    else deps.signal.addEventListener("abort", shutdown, { once: true });
  });

  await sync();
  return {
    sync,
    running: () =>
      [...running.values()].map(({ supervisor }) => ({
        ref: supervisor.ref,
        pid: supervisor.pid,
        spawns: supervisor.spawns,
      })),
    done,
  };
}
