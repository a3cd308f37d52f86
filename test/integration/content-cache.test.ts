/** The node's content read cache: reads are served from memory until any content write. */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PackMeta } from "../../src/core/content/model.ts";
import { withContentCache } from "../../src/engine/store/content-cache.ts";
import { openSqliteStore } from "../../src/engine/store/sqlite/index.ts";

const pack = (description: string): PackMeta => ({
  ref: "p",
  name: "p",
  description,
  version: "1.0.0",
  author: "t",
  path: "/tmp/p",
});

describe("content read cache", () => {
  it("serves repeated reads from memory and drops everything on a write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "squall-cache-"));
    const store = openSqliteStore(join(dir, "s.db"));
    try {
      const cached = withContentCache(store.content);
      await cached.upsertPack(pack("first"));
      assert.equal((await cached.getPack("p"))?.description, "first");
      // A write that bypasses the cache is not seen: the read really comes from memory.
      await store.content.upsertPack(pack("behind the cache"));
      assert.equal((await cached.getPack("p"))?.description, "first");
      // A write through the cache empties it.
      await cached.upsertPack(pack("second"));
      assert.equal((await cached.getPack("p"))?.description, "second");
      assert.equal(await cached.getPack("missing"), null);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
