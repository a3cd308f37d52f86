/** `squall policy list|get|update|delete` and `squall policy-type list|get`: st2's policy commands. */

import type { Command } from "commander";
import { cellText } from "../format.ts";
import { type ResourceSpec, registerResourceCommands } from "../resource.ts";
import type { CliRuntime } from "../runtime.ts";

export const POLICY: ResourceSpec = {
  kind: "policy",
  plural: "policies",
  path: "/api/v1/policies",
  idName: "ref",
  columns: [
    { header: "ref", value: (p) => p.ref },
    { header: "resource_ref", value: (p) => p.resource_ref },
    { header: "policy_type", value: (p) => p.policy_type },
    { header: "enabled", value: (p) => p.enabled },
  ],
  attributes: [
    "id",
    "ref",
    "pack",
    "name",
    "description",
    "enabled",
    "resource_ref",
    "policy_type",
    "parameters",
  ],
  filters: [
    { flag: "pack", query: "pack", help: "only policies of this pack" },
    { flag: "resource-ref", query: "resource_ref", help: "only policies on this action" },
    { flag: "policy-type", query: "policy_type", help: "only policies of this type" },
  ],
  emptyHint:
    "No policies found. Policies come with packs (policies/*.yaml): see `squall pack register`.",
};

export const POLICY_TYPE: ResourceSpec = {
  kind: "policy type",
  plural: "policy types",
  path: "/api/v1/policytypes",
  idName: "ref",
  columns: [
    { header: "id", value: (p) => p.id ?? p.ref },
    { header: "resource_type", value: (p) => p.resource_type },
    { header: "name", value: (p) => p.name },
    { header: "description", value: (p) => cellText(p.description), maxWidth: 60, flex: true },
  ],
  attributes: ["id", "ref", "resource_type", "name", "description", "enabled", "parameters"],
  filters: [
    { flag: "resource-type", query: "resource_type", help: "only types for this resource" },
  ],
};

export function registerPolicyCommands(program: Command, runtime: CliRuntime): void {
  const policy = program.command("policy").description("Manage policies (concurrency, retry…).");
  registerResourceCommands(policy, runtime, POLICY, ["list", "get", "update", "delete"]);
  const type = program.command("policy-type").description("Browse policy types.");
  registerResourceCommands(type, runtime, POLICY_TYPE, ["list", "get"]);
}
