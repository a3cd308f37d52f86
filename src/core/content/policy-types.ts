/**
 * The policy types a policy file may name, with the parameters each takes (StackStorm's
 * `st2common/policies/meta/*.yaml`). Policy parameters are checked and defaulted against these
 * at load time, as StackStorm's PolicyAPI.validate does.
 */
import type { ParameterSchema } from "./model.ts";

export interface PolicyType {
  /** `<resource_type>.<name>`, the value of a policy's `policy_type`. */
  ref: string;
  resource_type: "action";
  name: string;
  description: string;
  parameters: ParameterSchema;
}

const THRESHOLD = {
  type: "integer",
  required: true,
  description: "Number of executions allowed to be scheduled or running at once.",
};

const OVERFLOW_ACTION = {
  type: "string",
  default: "delay",
  enum: ["delay", "cancel"],
  description: "What happens to an execution over the threshold: wait, or be canceled.",
};

export const BUILTIN_POLICY_TYPES: PolicyType[] = [
  {
    ref: "action.concurrency",
    resource_type: "action",
    name: "concurrency",
    description: "Caps how many executions of the action run at once.",
    parameters: { threshold: THRESHOLD, action: OVERFLOW_ACTION },
  },
  {
    ref: "action.concurrency.attr",
    resource_type: "action",
    name: "concurrency.attr",
    description: "Caps concurrent executions per distinct value of the given parameters.",
    parameters: {
      threshold: THRESHOLD,
      action: OVERFLOW_ACTION,
      attributes: {
        type: "array",
        uniqueItems: true,
        items: { type: "string", minLength: 1 },
        description: "Parameter names whose values group the executions.",
      },
    },
  },
  {
    ref: "action.retry",
    resource_type: "action",
    name: "retry",
    description: "Runs a failed or timed-out execution again.",
    parameters: {
      retry_on: {
        type: "string",
        required: true,
        enum: ["failure", "timeout"],
        description: "Outcome that triggers a retry.",
      },
      max_retry_count: {
        type: "integer",
        required: true,
        minimum: 1,
        maximum: 5,
        default: 2,
        description: "How many times to retry before giving up.",
      },
      delay: {
        type: "number",
        required: false,
        minimum: 0,
        maximum: 120,
        description: "Seconds to wait before each retry.",
      },
    },
  },
];

export function findPolicyType(ref: string): PolicyType | undefined {
  return BUILTIN_POLICY_TYPES.find((p) => p.ref === ref);
}
