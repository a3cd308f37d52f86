import type { FastifyRequest } from "fastify";
import type { RegistrationReport } from "../engine/content/registrar.ts";
import type { EventBus } from "../engine/events.ts";
import type { SecretRegistry } from "../engine/logger.ts";
import type { ExecutionService } from "../engine/services/executions.ts";
import type { Store } from "../engine/store/contract.ts";

export type PackRegistrationSummary = RegistrationReport;

/** What the HTTP layer needs from the engine: services and read access, nothing more. */
export interface ApiContext {
  store: Store;
  executions: ExecutionService;
  bus: EventBus;
  secrets: SecretRegistry;
  /** Registers packs by name or absolute path; an empty list registers every configured pack directory. */
  registerPacks(packs: string[]): Promise<PackRegistrationSummary>;
  /**
   * Whether this request may see secrets unmasked with `show_secrets=true` (administrators).
   * Absent: nobody may, and secrets stay masked.
   */
  mayShowSecrets?: (request: FastifyRequest) => boolean;
  /** Tells the sensor container a sensor was enabled or disabled, so it starts or stops it. */
  onSensorChange?: (ref: string) => void | Promise<void>;
  /** Where `PUT /configs/<pack>` writes `<pack>.yaml` (StackStorm's /opt/stackstorm/configs). */
  configsDir?: string;
}
