/** The store lookups route permissions need (ids → refs), built from the node's store. */

import { NotFoundError } from "../../core/errors.ts";
import type { AuthService } from "../../engine/auth/service.ts";
import type { Store } from "../../engine/store/contract.ts";
import type { ContentType, ResourceLookups } from "./targets.ts";

export function storeLookups(store: Store, auth: AuthService | null): ResourceLookups {
  const byRef: Record<ContentType, (ref: string) => Promise<{ ref: string } | null>> = {
    action: (r) => store.content.getAction(r),
    rule: (r) => store.content.getRule(r),
    sensor_type: (r) => store.content.getSensor(r),
    policy: (r) => store.content.getPolicy(r),
    action_alias: (r) => store.content.getAlias(r),
  };
  return {
    async executionAction(id) {
      return (await store.executions.get(id))?.action.ref ?? null;
    },
    async contentRef(type, refOrId) {
      return (await byRef[type](refOrId))?.ref ?? null;
    },
    async enforcementRule(id) {
      return (await store.reactor.getEnforcement(id))?.rule.ref ?? null;
    },
    apiKeyHash(idOrKey) {
      if (!auth) return null;
      try {
        return auth.getApiKey(idOrKey).key_hash;
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
  };
}
