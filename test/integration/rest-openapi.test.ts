/** The OpenAPI document is generated from the routes' own schemas and covers every v1 route. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Json, type RestApi, startRestApi } from "./rest-api-fixture.ts";

let api: RestApi;
let doc: Json;
before(async () => {
  api = await startRestApi();
  doc = (await api.call("GET", "/api/v1/openapi.json")).body;
});
after(async () => {
  await api.close();
});

/** `/api/v1/actions/:ref` → `/api/v1/actions/{ref}`, as @fastify/swagger writes paths. */
function openApiPath(url: string): string {
  return url
    .replace(/:([A-Za-z0-9_]+)/g, "{$1}")
    .replace(/\*/g, "{*}")
    .replace(/\/$/, "");
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and names the API", () => {
    assert.equal(doc.openapi, "3.1.0");
    assert.match(doc.info.title, /Squall/);
  });

  it("lists every route registered under /api/v1, and no /v1 duplicate", () => {
    const routes = api.registered.filter(
      (r) =>
        (r.url === "/api/v1" || r.url.startsWith("/api/v1/")) &&
        !r.url.startsWith("/api/v1/docs") &&
        r.method !== "HEAD",
    );
    assert.ok(routes.length > 40, `only ${routes.length} routes seen`);
    const missing = routes.filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()]);
    assert.deepEqual(missing, []);
    for (const path of Object.keys(doc.paths)) assert.ok(path.startsWith("/api/v1"), path);
  });

  it("documents the schemas the handlers validate with", async () => {
    const create = doc.paths["/api/v1/actions"].post;
    const body = create.requestBody.content["application/json"].schema;
    assert.equal(body.additionalProperties, false);
    assert.deepEqual(body.required, ["name", "runner_type"]);
    // The same schema refuses what the document says it refuses.
    const res = await api.call("POST", "/api/v1/actions", { name: "x" });
    assert.equal(res.status, 400);
    const list = doc.paths["/api/v1/executions"].get;
    const names = list.parameters.map((p: { name: string }) => p.name);
    for (const n of ["limit", "offset", "sort", "include_attributes", "user", "trigger_instance"])
      assert.ok(names.includes(n), n);
    assert.ok(doc.paths["/api/v1/packs/views/file/{ref}/{*}"].get.responses["200"]);
  });

  it("serves browsable docs", async () => {
    const res = await api.app.inject({ method: "GET", url: "/api/v1/docs/" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });
});
