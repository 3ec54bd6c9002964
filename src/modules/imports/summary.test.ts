import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyResult } from "./police-uk.importer.ts";
import { addFile, addIgnored, emptySummary, EXAMPLES_PER_REASON, MAX_LISTED_FILES, MAX_LISTED_ROW_PROBLEMS } from "./summary.ts";

describe("an import's summary", () => {
  it("stays the same size whatever the archive holds, with exact totals", () => {
    const summary = emptySummary();
    const longName = "x".repeat(60_000);
    for (let i = 0; i < 100_000; i++) {
      // Every failure a different message, every name 60,000 characters, every file 100 row problems.
      const problems = Array.from({ length: 100 }, (_, line) => ({ line, reason: "a bad row" }));
      addFile(summary, { ...emptyResult(`${longName}${i}.csv`), status: "failed", message: `could not be read (error ${i})`, skipped: 100, problems });
      addIgnored(summary, `${longName}${i}.txt`);
    }
    assert.ok(JSON.stringify(summary).length < 1_000_000, `the summary is ${JSON.stringify(summary).length.toLocaleString("en-GB")} characters`);
    assert.equal(summary.totals.files, 100_000);
    assert.equal(summary.totals.failed, 100_000);
    assert.equal(summary.totals.ignored, 100_000);
    assert.equal(summary.totals.skipped, 10_000_000);
    assert.equal(summary.files.length, MAX_LISTED_FILES);
    assert.equal(summary.unlistedFiles, 100_000 - MAX_LISTED_FILES);
    assert.equal(summary.files.reduce((sum, f) => sum + f.problems.length, 0), MAX_LISTED_ROW_PROBLEMS);
    assert.ok(summary.files.every((f) => f.name.length <= 240));

    const reasons = summary.notImported.map((g) => g.reason);
    assert.equal(reasons.length, 21, "twenty reasons apart, the rest together");
    assert.deepEqual(reasons.slice(0, 2), ["could not be read (error 0)", "not a CSV file: left alone"]);
    assert.equal(reasons.at(-1), "other reasons");
    assert.equal(summary.notImported.reduce((sum, g) => sum + g.count, 0), 200_000, "every file and entry is counted under a reason");
    assert.ok(summary.notImported.every((g) => g.examples.length <= EXAMPLES_PER_REASON));
  });
});
