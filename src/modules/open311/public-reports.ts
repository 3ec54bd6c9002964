// Which reports' places may be published: the one rule Open311, the feeds and the alerts share
// (and the dashboard may reuse), so a place is public in one output only if it is in all.
//
// A report's place is published only as the centre of its public H3 cell (resolution 8, the
// parent of the stored resolution-9 cell), and only when that cell-month is published: the
// month is complete, and the count of non-sensitive reports in that cell and month survives
// `suppress()` at K_REPORTS. Each month is one row of a suppression table whose columns are
// every public cell with a report that month, so complementary suppression protects the
// month's total too: a lone cell under k hides another small cell with it rather than let a
// published total minus the published cells reveal it. The month is the month the report
// was received (created), in UTC; sensitive categories are never counted nor placed.
import { cellToLatLng } from "h3-js";
import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import { K_REPORTS, lastCompleteMonth, monthOf, publicCell, suppress } from "../../domain/privacy.ts";

export interface PublishedCellMonth {
  month: string;
  cell: string;
  count: number;
}

export interface PublishedCellMonths {
  /** Whether reports in this public cell and month may be placed at the cell's centre. */
  has(cell: string, month: string): boolean;
  /** Every published cell-month, month by month, largest first. */
  entries(): PublishedCellMonth[];
}

/** 'YYYY-MM' → the first instant of that month and of the next, as ISO strings. */
export function monthBounds(month: string): { start: string; end: string } {
  const [year, monthNumber] = month.split("-").map(Number) as [number, number];
  return {
    start: new Date(Date.UTC(year, monthNumber - 1, 1)).toISOString(),
    end: new Date(Date.UTC(year, monthNumber, 1)).toISOString(),
  };
}

/** The months ('YYYY-MM') an interval touches, oldest first. */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  let cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor <= to) {
    months.push(monthOf(cursor.toISOString()));
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
  }
  return months;
}

/** Only months that are over are ever published. */
export function isCompleteMonth(month: string, now: Date = new Date()): boolean {
  return month <= lastCompleteMonth(now);
}

/** The centre of a stored report's public cell, rounded to what the cell can tell (about 1 m). */
export function publicCentre(storedCell: string): { lat: number; long: number } {
  const [lat, long] = cellToLatLng(publicCell(storedCell));
  return { lat: Number(lat.toFixed(6)), long: Number(long.toFixed(6)) };
}

/**
 * The published cell-months among `months` (each 'YYYY-MM'). Incomplete months are never
 * published, whatever their counts.
 */
export async function publicReportCellMonths(db: Kysely<Schema>, months: string[], now: Date = new Date()): Promise<PublishedCellMonths> {
  const wanted = [...new Set(months)].filter((month) => /^\d{4}-\d{2}$/.test(month) && isCompleteMonth(month, now)).sort();
  const published = new Map<string, Map<string, number>>();
  if (wanted.length) {
    const rows = await db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.h3Cell", "reports.createdAt"])
      .where("categories.sensitive", "=", false)
      .where("reports.h3Cell", "is not", null)
      .where("reports.createdAt", ">=", monthBounds(wanted[0]!).start)
      .where("reports.createdAt", "<", monthBounds(wanted.at(-1)!).end)
      .execute();
    const counts = new Map<string, Map<string, number>>();
    for (const row of rows) {
      const month = monthOf(row.createdAt);
      if (!wanted.includes(month)) continue;
      const cell = publicCell(row.h3Cell!);
      const line = counts.get(month) ?? new Map<string, number>();
      line.set(cell, (line.get(cell) ?? 0) + 1);
      counts.set(month, line);
    }
    for (const [month, line] of counts) {
      const result = suppress({ rows: [month], columns: [...line.keys()].sort(), counts: new Map([[month, line]]) }, K_REPORTS);
      const kept = new Map<string, number>();
      for (const [cell, value] of result.cells.get(month)!) if (value !== null && value >= K_REPORTS) kept.set(cell, value);
      if (kept.size) published.set(month, kept);
    }
  }
  return {
    has: (cell, month) => published.get(month)?.has(cell) ?? false,
    entries: () =>
      [...published.entries()]
        .sort(([a], [b]) => b.localeCompare(a))
        .flatMap(([month, line]) => [...line.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([cell, count]) => ({ month, cell, count }))),
  };
}
