// Crash safety of the police.uk import: `openbeat import police-uk` is killed with SIGKILL part-way
// through a file. The database must equal its state before that file (the earlier file stays);
// running the import again completes, and gives the same data as a clean import of both files.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { freshDatabase, withDatabase, type BenchDatabase } from "../../bench/lib/databases.ts";
import { newSecrets, openbeatEnvironment, runNode } from "../../bench/lib/processes.ts";
import { generateStreetFile } from "../../bench/police-uk-generator.ts";
import { createBenchOperation, servicesFor } from "../../bench/lib/setup.ts";
import { testDialects } from "../support/databases.ts";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-fault-import-"));
const first = path.join(folder, "2018-01-essex-synthetic-street.csv");
const second = path.join(folder, "2018-02-essex-synthetic-street.csv");
generateStreetFile(first, { rows: 3_000, month: "2018-01", seed: 1 });
// Large enough that the kill lands while it loads, even on a fast machine.
generateStreetFile(second, { rows: 40_000, month: "2018-02", seed: 2 });

/** The imported data without ids (PostgreSQL sequences do not roll back): equal digests, equal data. */
async function digest(database: BenchDatabase): Promise<Record<string, string>> {
  return withDatabase(database, async ({ db }) => {
    const hash = (rows: unknown[]) => `${rows.length}:${crypto.createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16)}`;
    return {
      crimes: hash(
        await db
          .selectFrom("policeCrimes as c")
          .leftJoin("snapPoints as p", "p.id", "c.snapPointId")
          .select(["c.rowKey", "c.crimeId", "c.month", "c.fallsWithin", "c.crimeType", "c.lastOutcomeCategory", "c.sequence", "p.key"])
          .orderBy("c.rowKey")
          .execute(),
      ),
      snapPoints: hash(await db.selectFrom("snapPoints").select(["key", "h3Cell", "lsoaCode"]).orderBy("key").execute()),
      months: hash(await db.selectFrom("policeMonths").selectAll().orderBy("fallsWithin").orderBy("month").orderBy("kind").execute()),
      members: hash(
        await db
          .selectFrom("areaSnapPoints as m")
          .innerJoin("areas as a", "a.id", "m.areaId")
          .innerJoin("snapPoints as p", "p.id", "m.snapPointId")
          .select(["a.role", "p.key"])
          .orderBy("a.role")
          .orderBy("p.key")
          .execute(),
      ),
    };
  });
}

for (const dialect of testDialects()) {
  describe(`SIGKILL during a police.uk import [${dialect}]`, () => {
    let killed: BenchDatabase;
    let clean: BenchDatabase;
    before(async () => {
      killed = await freshDatabase(dialect, { label: "fault_import" });
      clean = await freshDatabase(dialect, { label: "fault_import_clean" });
      for (const database of [killed, clean]) await withDatabase(database, (opened) => createBenchOperation(servicesFor(database, opened), opened));
    });
    after(async () => {
      await killed?.drop();
      await clean?.drop();
    });

    it("leaves the database as before the file, and a second run equals a clean import", async () => {
      const environment = openbeatEnvironment(killed.url, newSecrets());
      let killedAt = "";
      const run = await runNode(["import", "police-uk", first, second], environment, {
        timeoutMs: 120_000,
        onStart: (child) => {
          let text = "";
          child.stderr!.on("data", (chunk: Buffer) => {
            text += chunk.toString();
            // The first file's summary line: it is committed and the second is loading. Kill a
            // moment later, when rows of the second file have been staged in its transaction.
            if (!killedAt && text.includes(`${first}: street file`)) {
              killedAt = "pending";
              setTimeout(() => {
                killedAt = text.split("\n").filter(Boolean).at(-1) ?? "";
                child.kill("SIGKILL");
              }, 200);
            }
          });
        },
      });
      assert.equal(run.signal, "SIGKILL", `the import was killed mid-file, not finished first:\n${run.stderr}`);
      assert.ok(!run.stderr.includes(`${second}: street file`), "the second file had not finished when killed");

      // What the first file alone gives, imported cleanly: the state before the second file.
      const importInProcess = (database: BenchDatabase, file: string) =>
        withDatabase(database, async (opened) => {
          await servicesFor(database, opened).imports.run([file], { source: "cli" });
        });
      await importInProcess(clean, first);
      const before = await digest(clean);
      const afterKill = await digest(killed);
      assert.deepEqual(afterKill, before, `the database equals its state before the killed file (killed after: ${killedAt})`);
      if (dialect === "sqlite") {
        const integrity = await withDatabase(killed, async ({ db }) => Object.values((await sql<Record<string, string>>`pragma integrity_check`.execute(db)).rows[0] ?? {})[0]);
        assert.equal(integrity, "ok");
      }

      const again = await runNode(["import", "police-uk", second, "--json"], environment, { timeoutMs: 120_000 });
      assert.equal(again.code, 0, again.stderr);
      const totals = (JSON.parse(again.stdout.slice(again.stdout.indexOf("{"))) as { totals: { rowsRead: number; inserted: number; updated: number } }).totals;
      assert.deepEqual([totals.rowsRead, totals.inserted, totals.updated], [40_000, 40_000, 0], "nothing of the killed run was kept");

      await importInProcess(clean, second);
      assert.deepEqual(await digest(killed), await digest(clean), "after the second run the data equals a clean import of both files");
    });
  });
}

after(() => fs.rmSync(folder, { recursive: true, force: true }));
