import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { lastCompleteMonth, publishableTotal } from "./rules.ts";
import { suppress, type CountTable } from "./tables.ts";

function table(rows: Record<string, Record<string, number>>): CountTable {
  const rowKeys = Object.keys(rows);
  const columns = [...new Set(rowKeys.flatMap((r) => Object.keys(rows[r]!)))];
  return { rows: rowKeys, columns, counts: new Map(rowKeys.map((r) => [r, new Map(Object.entries(rows[r]!))])) };
}

/** Every way an attacker can pin a suppressed cell down from one published line and its total. */
function recoverable(result: ReturnType<typeof suppress>, t: CountTable, k: number): string[] {
  const leaks: string[] = [];
  for (const row of t.rows) {
    const total = result.rowTotals.get(row);
    const hidden = t.columns.filter((c) => result.cells.get(row)!.get(c) === null);
    if (total !== null && total !== undefined && hidden.length > 0) {
      const rest = total - t.columns.reduce((s, c) => s + (result.cells.get(row)!.get(c) ?? 0), 0);
      if (hidden.length === 1 || rest < k) leaks.push(`row ${row}`);
    }
  }
  for (const column of t.columns) {
    const total = result.columnTotals.get(column);
    const hidden = t.rows.filter((r) => result.cells.get(r)!.get(column) === null);
    if (total !== null && total !== undefined && hidden.length > 0) {
      const rest = total - t.rows.reduce((s, r) => s + (result.cells.get(r)!.get(column) ?? 0), 0);
      if (hidden.length === 1 || rest < k) leaks.push(`column ${column}`);
    }
  }
  return leaks;
}

describe("suppression of small counts", () => {
  it("hides counts under k and publishes zeros and counts at k", () => {
    const t = table({ "2026-01": { a: 0, b: 5, c: 9 } });
    const result = suppress(t, 5);
    assert.deepEqual([...result.cells.get("2026-01")!.values()], [0, 5, 9]);
  });

  it("suppresses a second cell so a total cannot reveal the first (worked by hand)", () => {
    // Row total 17: hiding only the 2 would leave 17 - 6 - 9 = 2. The next smallest, 6, goes too,
    // and the hidden pair sums to 8 ≥ 5. Column totals then need the same care.
    const t = table({ "2026-01": { a: 2, b: 6, c: 9 }, "2026-02": { a: 7, b: 8, c: 10 } });
    const result = suppress(t, 5);
    assert.equal(result.cells.get("2026-01")!.get("a"), null);
    assert.equal(result.cells.get("2026-01")!.get("b"), null);
    assert.deepEqual(recoverable(result, t, 5), []);
  });

  it("withholds a total when nothing else can hide a lone small count", () => {
    const t = table({ "2026-01": { a: 3 } });
    const result = suppress(t, 5);
    assert.equal(result.cells.get("2026-01")!.get("a"), null);
    assert.equal(result.rowTotals.get("2026-01"), null);
    assert.equal(result.grandTotal, null);
  });

  it("never leaves a suppressed figure recoverable from a published total (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }).filter((rows) => rows.every((r) => r.length === rows[0]!.length)),
        fc.integer({ min: 3, max: 5 }),
        (grid, k) => {
          const t: CountTable = {
            rows: grid.map((_, i) => `r${i}`),
            columns: grid[0]!.map((_, j) => `c${j}`),
            counts: new Map(grid.map((row, i) => [`r${i}`, new Map(row.map((n, j) => [`c${j}`, n]))])),
          };
          const result = suppress(t, k);
          for (const [r, line] of result.cells) for (const [c, v] of line) {
            const n = t.counts.get(r)!.get(c)!;
            if (n > 0 && n < k) assert.equal(v, null, "every small count is hidden");
            if (v !== null) assert.equal(v, n, "published figures are exact");
          }
          assert.deepEqual(recoverable(result, t, k), []);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("publishes single totals only at k or more, and only complete months", () => {
    assert.equal(publishableTotal(4), null);
    assert.equal(publishableTotal(0), 0);
    assert.equal(publishableTotal(5), 5);
    assert.equal(lastCompleteMonth(new Date("2026-11-26T12:00:00Z")), "2026-10");
    assert.equal(lastCompleteMonth(new Date("2026-01-01T00:00:00Z")), "2025-12");
    assert.equal(lastCompleteMonth(new Date("2026-06-30T23:30:00Z")), "2026-06", "UK time: already July in London");
  });
});
