/**
 * Every route the node serves must have an entry in the route → permission table, so none is
 * left unguarded (or refused to everyone but administrators by accident).
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { normalizeRoute, ruleFor } from "../../src/api/auth/route-table.ts";
import { loadSettings } from "../../src/engine/config.ts";
import { type SquallNode, startNode } from "../../src/server/node.ts";
import { makeHome } from "../support/squall-process.ts";

describe("route permission table", () => {
  let node: SquallNode;
  let cleanup = (): void => {};
  before(async () => {
    const home = makeHome("squall-routes-");
    cleanup = home.cleanup;
    node = await startNode(
      loadSettings({ SQUALL_HOME: home.home }, { port: 0, logLevel: "silent", nodeId: "routes" }),
    );
  });
  after(async () => {
    await node?.stop();
    cleanup();
  });

  it("has an entry for every registered route", () => {
    assert.ok(node.routes.length > 50, `only ${node.routes.length} routes registered`);
    const missing = node.routes
      .filter((r) => r.method !== "OPTIONS")
      .filter((r) => ruleFor(r.method, r.url) === undefined)
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(
      [...new Set(missing)],
      [],
      "add these routes to src/api/auth/route-table.ts (method, path, permission, target)",
    );
  });

  it("treats parameter names and wildcards alike", () => {
    assert.equal(normalizeRoute("/api/v1/actions/:ref_or_id"), "/api/v1/actions/:");
    assert.equal(normalizeRoute("/api/v1/webhooks/*"), "/api/v1/webhooks/:");
    assert.equal(ruleFor("HEAD", "/v1/actions/:x")?.permission, "action_view");
    assert.equal(ruleFor("GET", "/api/v1/no/such/route"), undefined);
  });
});
