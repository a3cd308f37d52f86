/**
 * The pack config a Python action receives as `self.config`: the stored config (already merged
 * with the schema defaults when it was registered) or, for a pack that has a schema but no config
 * file, the schema's defaults alone, exactly what parameter rendering sees as `config_context`.
 */

import { assignDefaults } from "../../core/content/param-schema.ts";
import type { ContentStore } from "../store/contract.ts";

/**
 * `user` is whom the config is loaded for (the execution's user; the system user when absent):
 * dynamic values read that user's datastore scope (see content/config-render.ts).
 */
export type PackConfigLoader = (pack: string, user?: string) => Promise<Record<string, unknown>>;

export function createPackConfigLoader(
  content: Pick<ContentStore, "getConfig" | "getConfigSchema">,
): PackConfigLoader {
  return async (pack) => {
    const config = await content.getConfig(pack);
    if (config) return config.values;
    const schema = await content.getConfigSchema(pack);
    if (!schema) return {};
    return assignDefaults<Record<string, unknown>>(
      {},
      { type: "object", properties: schema.attributes },
    );
  };
}
