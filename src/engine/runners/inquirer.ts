/**
 * `inquirer`: asks people a question. It does not wait for the answer: it reports `pending` with
 * the question (`{schema, roles, users, route, ttl}`, StackStorm's result) and returns at once.
 * The worker records the execution pending with its `core.st2.generic.inquiry` trigger; the
 * inquiry service completes it when someone answers, the expiry loop when its TTL passes.
 */

import { INQUIRER_RUNNER, inquiryResultFrom } from "../inquiries/model.ts";
import type { Runner } from "./contract.ts";

export function createInquirerRunner(): Runner {
  return {
    name: INQUIRER_RUNNER,
    async run(request) {
      return { status: "pending", result: inquiryResultFrom(request.parameters) };
    },
  };
}
