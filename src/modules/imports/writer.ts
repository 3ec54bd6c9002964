// What the importer hands to the database, one file at a time in one transaction. Bulk loading
// is the one place where SQLite and PostgreSQL are driven differently (prepared multi-row
// upserts on one, COPY into a staging table on the other), so each engine has its own writer
// behind this interface, written with the raw driver; everything else goes through Kysely.
import type { SnapPoint } from "../../domain/police-uk.ts";

export interface CrimeRecord {
  line: number;
  /** "month|Crime ID", or for rows without one "month|~force|position": a month's rows sit together in the index (migration 0012). */
  rowKey: string;
  crimeId: string | null;
  month: string;
  reportedBy: string;
  fallsWithin: string;
  point: (SnapPoint & { key: string }) | null;
  crimeType: string;
  lastOutcome: string | null;
  context: string | null;
  /** Position among the rows without an id of its force and month, from 1. */
  sequence: number | null;
}

export interface OutcomeRecord {
  line: number;
  crimeId: string;
  month: string;
  fallsWithin: string;
  outcome: string;
}

/** A force and month a file holds, and how many rows without an id it had for them. */
export interface HeldMonth {
  fallsWithin: string;
  month: string;
  withoutId: number;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  /** Rows repeating an id already seen in the same file: the later one is kept. */
  duplicates: number;
  /** Rows without an id from an earlier import of the same force and month that this file no longer has. */
  removedWithoutId: number;
}

export type FileKindToWrite = "street" | "outcomes";

export interface FileWriter {
  writeCrimes(batch: CrimeRecord[]): Promise<void>;
  writeOutcomes(batch: OutcomeRecord[]): Promise<void>;
  /** Finishes the file: replaces rows without an id, records the months held, commits. */
  commit(held: HeldMonth[]): Promise<WriteCounts>;
  /** Leaves the database exactly as it was before the file. */
  rollback(): Promise<void>;
}

export interface ImportConnection {
  begin(kind: FileKindToWrite): Promise<FileWriter>;
  close(): Promise<void>;
}

export const CRIME_COLUMNS = [
  "row_key",
  "crime_id",
  "month",
  "reported_by",
  "falls_within",
  "snap_point_id",
  "crime_type",
  "last_outcome_category",
  "context",
  "sequence",
] as const;
