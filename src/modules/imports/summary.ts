// An import's summary, kept the same size whatever the archive holds: totals are exact, files and
// entries not imported are counted by reason with a few examples, and the files and row problems
// listed one by one stop at a limit. A zip of 100,000 empty entries once made a 67 MB job page.
import type { FileResult, ImportSummary } from "./police-uk.importer.ts";

/** Files listed one by one (the job page shows them a page at a time); the rest are counted. */
export const MAX_LISTED_FILES = 1000;
/** Row problems listed across the whole import (each file also stops at its own limit). */
export const MAX_LISTED_ROW_PROBLEMS = 500;
/** Example names kept for each reason a file was not imported. */
export const EXAMPLES_PER_REASON = 5;
/** Reasons counted apart; further ones are counted together. */
const MAX_REASONS = 20;
/** Longer names (a zip entry's name can be 64 KB) and reasons are shortened in the middle. */
const MAX_NAME = 240;
const MAX_REASON = 1000;

export const NOT_CSV = "not a CSV file: left alone";
const OTHER_REASONS = "other reasons";

function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit / 2)}…${text.slice(-(limit / 2 - 1))}`;
}

export function emptySummary(): ImportSummary {
  return {
    files: [],
    unlistedFiles: 0,
    notImported: [],
    totals: { files: 0, imported: 0, refused: 0, failed: 0, ignored: 0, rowsRead: 0, inserted: 0, updated: 0, skipped: 0, duplicates: 0, noLocation: 0 },
  };
}

function countNotImported(summary: ImportSummary, reason: string, name: string): void {
  let group = summary.notImported.find((g) => g.reason === reason);
  if (!group) {
    const shown = summary.notImported.length < MAX_REASONS ? reason : OTHER_REASONS;
    group = summary.notImported.find((g) => g.reason === shown);
    if (!group) summary.notImported.push((group = { reason: shown, count: 0, examples: [] }));
  }
  group.count++;
  if (group.examples.length < EXAMPLES_PER_REASON) group.examples.push(name);
}

/** Adds a file's result: to the totals, to its reason when not imported, and to the list while there is room. */
export function addFile(summary: ImportSummary, result: FileResult): void {
  const t = summary.totals;
  t.files++;
  if (result.status === "imported") t.imported++;
  else if (result.status === "refused") t.refused++;
  else t.failed++;
  t.rowsRead += result.rowsRead;
  t.inserted += result.inserted;
  t.updated += result.updated;
  t.skipped += result.skipped;
  t.duplicates += result.duplicates;
  t.noLocation += result.noLocation;
  const name = shorten(result.name, MAX_NAME);
  const message = result.message === null ? null : shorten(result.message, MAX_REASON);
  if (result.status !== "imported") countNotImported(summary, message ?? result.status, name);
  if (summary.files.length >= MAX_LISTED_FILES) {
    summary.unlistedFiles++;
    return;
  }
  const listed = summary.files.reduce((sum, f) => sum + f.problems.length, 0);
  const problems = result.problems.slice(0, Math.max(0, MAX_LISTED_ROW_PROBLEMS - listed)).map((p) => ({ line: p.line, reason: shorten(p.reason, MAX_REASON) }));
  summary.files.push({ ...result, name, message, problems });
}

/** Adds an entry of a folder or archive that is not a CSV file, left alone. */
export function addIgnored(summary: ImportSummary, name: string): void {
  summary.totals.ignored++;
  countNotImported(summary, NOT_CSV, shorten(name, MAX_NAME));
}
