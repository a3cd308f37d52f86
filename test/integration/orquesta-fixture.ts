/**
 * Shared by the orquesta-*.test.ts files: registers the orquesta_pack fixture on a node, runs
 * workflows through the API and waits for them, and lists a workflow's children.
 */

import assert from "node:assert/strict";
import type { Execution } from "../../src/core/execution/model.ts";
import { isCompleted } from "../../src/core/execution/status.ts";
import { api, eventually } from "../support/squall-process.ts";

export const ORQUESTA_PACK = new URL("../fixtures/packs/orquesta_pack", import.meta.url).pathname;

export async function registerOrquestaPack(url: string): Promise<void> {
  const res = await api<{ errors?: unknown[] }>(url, "POST", "/packs/register", {
    packs: [ORQUESTA_PACK],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.errors ?? [], [], "the fixture pack must register cleanly");
}

export async function start(
  url: string,
  action: string,
  parameters: Record<string, unknown> = {},
): Promise<Execution> {
  const res = await api<Execution>(url, "POST", "/executions", { action, parameters });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export async function get(url: string, id: string): Promise<Execution> {
  const res = await api<Execution>(url, "GET", `/executions/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

export function waitFor(
  url: string,
  id: string,
  done: (e: Execution) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Execution> {
  return eventually(
    async () => {
      const e = await get(url, id);
      return done(e) ? e : undefined;
    },
    timeoutMs,
    `${id} ${what}`,
  );
}

export function completion(url: string, id: string, timeoutMs = 30_000): Promise<Execution> {
  return waitFor(url, id, (e) => isCompleted(e.status), "to complete", timeoutMs);
}

export async function run(
  url: string,
  action: string,
  parameters: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<Execution> {
  const e = await start(url, action, parameters);
  return completion(url, e.id, timeoutMs);
}

/** Every child of a workflow execution (all pages), oldest first. */
export async function children(url: string, id: string): Promise<Execution[]> {
  const out: Execution[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await api<Execution[]>(
      url,
      "GET",
      `/executions?parent=${id}&limit=100&offset=${offset}&sort_asc=true`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    out.push(...res.body);
    if (res.body.length < 100) return out;
  }
}

/** Child count per task name. */
export function perTask(list: Execution[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of list) {
    const task = String((c.context.orquesta as Record<string, unknown>).task_id);
    out[task] = (out[task] ?? 0) + 1;
  }
  return out;
}
