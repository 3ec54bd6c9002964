import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "kysely";
import { createTestDatabase, testDialects, type TestDatabase } from "../../test/support/databases.ts";
import { RateLimitsRepository } from "../modules/rate-limits/rate-limits.repository.ts";
import type { Schema } from "./schema.ts";
import { WriteBatcher } from "./write-batcher.ts";

const EXPIRES = "2099-01-01T00:00:00.000Z";

for (const dialect of testDialects()) {
  describe(`group commit [${dialect}]`, () => {
    let test: TestDatabase;
    let repository: RateLimitsRepository;
    before(async () => {
      test = await createTestDatabase(dialect);
      repository = new RateLimitsRepository(test.database.db);
    });
    after(async () => test?.drop());

    const stored = async (prefix: string) =>
      (await test.database.db.selectFrom("rateLimits").select("key").where("key", "like", `${prefix}%`).execute()).map((row) => row.key).sort();

    it("writes arriving together share one transaction, and each caller gets its own answer", async () => {
      const writes = new WriteBatcher(test.database.db);
      const transactions = new Set<Transaction<Schema>>();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          writes.run(async (trx) => {
            transactions.add(trx);
            return repository.increment(`together-${String(i).padStart(2, "0")}`, EXPIRES, trx);
          }),
        ),
      );
      assert.equal(transactions.size, 1, "twenty writes queued in one turn of the event loop share one commit");
      assert.deepEqual(answers, Array(20).fill(1));
      assert.equal((await stored("together-")).length, 20);
    });

    it("a write that fails is rolled back alone: its caller gets the error, the others are stored", async () => {
      const writes = new WriteBatcher(test.database.db);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          writes.run(async (trx) => {
            await repository.increment(`alone-${i}`, EXPIRES, trx);
            if (i === 4) throw new Error("the fifth write fails after writing");
            return i;
          }),
        ),
      );
      assert.equal(results[4]!.status, "rejected");
      assert.match(String((results[4] as PromiseRejectedResult).reason), /fifth write fails/);
      assert.deepEqual(
        results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<number>).value),
        [0, 1, 2, 3, 5, 6, 7, 8, 9],
      );
      assert.deepEqual(await stored("alone-"), ["alone-0", "alone-1", "alone-2", "alone-3", "alone-5", "alone-6", "alone-7", "alone-8", "alone-9"]);
    });

    it("without batching, each write has its own transaction", async () => {
      const writes = new WriteBatcher(test.database.db, { batch: false });
      const transactions = new Set<Transaction<Schema>>();
      await Promise.all(Array.from({ length: 3 }, (_, i) => writes.run(async (trx) => transactions.add(trx) && repository.increment(`own-${i}`, EXPIRES, trx))));
      assert.equal(transactions.size, 3);
      assert.equal((await stored("own-")).length, 3);
    });

    it("writes queued while a batch commits go in the next batch, and none is lost", async () => {
      const writes = new WriteBatcher(test.database.db, { maxBatch: 7 });
      const batches = new Set<Transaction<Schema>>();
      const first = Array.from({ length: 15 }, (_, i) =>
        writes.run(async (trx) => {
          batches.add(trx);
          return repository.increment(`later-a${i}`, EXPIRES, trx);
        }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      const second = Array.from({ length: 15 }, (_, i) => writes.run((trx) => repository.increment(`later-b${i}`, EXPIRES, trx)));
      await Promise.all([...first, ...second]);
      assert.ok(batches.size >= 3, "at most seven writes a batch: fifteen need three");
      assert.equal((await stored("later-")).length, 30);
    });
  });
}
