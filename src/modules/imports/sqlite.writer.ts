// SQLite: its own connection to the database file (so the web server keeps reading while a file
// loads), one IMMEDIATE transaction per file. Rows go into a temporary staging table through
// multi-row inserts prepared once per file, then into police_crimes in one statement, in Crime ID
// order: an index on random hash ids fills many times faster in order than row by row. Snap point
// ids are cached by key, and forgotten again if a file is rolled back.
import SQLite from "better-sqlite3";
import { withStatementCache } from "../../db/database.ts";
import { h3CellFor } from "../../domain/geo.ts";
import { CRIME_COLUMNS, type CrimeRecord, type FileWriter, type HeldMonth, type ImportConnection, type OutcomeRecord, type WriteCounts } from "./writer.ts";

const CRIME_UPDATE = CRIME_COLUMNS.filter((c) => c !== "row_key")
  .map((c) => `${c} = excluded.${c}`)
  .join(", ");

/** Snap point ids kept in memory (England and Wales have about 700,000 points; Essex about 17,000). */
const MAX_CACHED_POINTS = 100_000;

/** Rows per staging statement: 500 is the importer's batch (DEFAULT_BATCH_SIZE); the rest for the last batch of a file. */
const STAGE_SIZES = [500, 100, 20, 5, 1];

const STAGING = {
  street: {
    table: "police_staging",
    columns: 11,
    create: `CREATE TEMP TABLE IF NOT EXISTS police_staging (line INTEGER, row_key TEXT, crime_id TEXT, month TEXT, reported_by TEXT, falls_within TEXT,
               snap_point_id INTEGER, crime_type TEXT, last_outcome TEXT, context TEXT, sequence INTEGER)`,
    // Grouped by key, SQLite takes the other columns from the row with max(line): the file's last word on a crime.
    upsert: `INSERT INTO police_crimes (${CRIME_COLUMNS.join(", ")})
             SELECT row_key, crime_id, month, reported_by, falls_within, snap_point_id, crime_type, last_outcome, context, sequence
             FROM (SELECT *, max(line) FROM police_staging GROUP BY row_key) WHERE true ORDER BY row_key
             ON CONFLICT (row_key) DO UPDATE SET ${CRIME_UPDATE}`,
    target: "police_crimes",
  },
  outcomes: {
    table: "police_outcome_staging",
    columns: 5,
    create: "CREATE TEMP TABLE IF NOT EXISTS police_outcome_staging (line INTEGER, crime_id TEXT, month TEXT, falls_within TEXT, outcome_type TEXT)",
    upsert: `INSERT INTO police_outcomes (crime_id, month, falls_within, outcome_type)
             SELECT crime_id, month, falls_within, outcome_type
             FROM (SELECT *, max(line) FROM police_outcome_staging GROUP BY crime_id, month, outcome_type) WHERE true ORDER BY crime_id, month, outcome_type
             ON CONFLICT (crime_id, month, outcome_type) DO UPDATE SET falls_within = excluded.falls_within`,
    target: "police_outcomes",
  },
} as const;

export function openSqliteImport(file: string): ImportConnection {
  const db = new SQLite(file);
  db.pragma("foreign_keys = ON");
  // The web server may be writing a report: wait for it rather than fail.
  db.pragma("busy_timeout = 10000");
  // Staging and sorting spill to temporary files rather than memory, however large the file.
  db.pragma("temp_store = FILE");
  db.pragma("temp.cache_size = -4000");
  // The staging tables and the statements last as long as the connection: no table is created
  // and no statement prepared again for each of a run's files.
  for (const staging of Object.values(STAGING)) db.exec(staging.create);
  const { prepare: prepared } = withStatementCache(db);
  const pointIds = new Map<string, number>();
  const selectPoint = db.prepare<[string], number>("SELECT id FROM snap_points WHERE key = ?").pluck();
  const insertPoint = db
    .prepare<[string, number, number, string, string | null, string | null, string], number>(
      "INSERT INTO snap_points (key, longitude, latitude, location, lsoa_code, lsoa_name, h3_cell) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .pluck();

  return {
    async begin(kind) {
      const staging = STAGING[kind];
      db.exec("BEGIN IMMEDIATE");
      const before = prepared(`SELECT coalesce(max(id), 0) FROM ${staging.target}`).pluck().get() as number;
      const row = `(${Array(staging.columns).fill("?").join(", ")})`;
      // A batch goes in as few statements as STAGE_SIZES make (the importer's full batch in one),
      // so a handful of statements serve every file however its rows end.
      const stage = (values: unknown[], rows: number) => {
        let at = 0;
        for (const size of STAGE_SIZES) {
          for (; rows - at >= size; at += size) {
            const statement = prepared(`INSERT INTO ${staging.table} VALUES ${Array(size).fill(row).join(", ")}`);
            statement.run(...(size === rows ? values : values.slice(at * staging.columns, (at + size) * staging.columns)));
          }
        }
      };
      let staged = 0;
      const newPoints: string[] = [];
      let open = true;

      const pointId = (record: CrimeRecord): number | null => {
        const point = record.point;
        if (!point) return null;
        let id = pointIds.get(point.key);
        if (id === undefined) {
          id = selectPoint.get(point.key);
          if (id === undefined) {
            id = insertPoint.get(point.key, point.longitude, point.latitude, point.location, point.lsoaCode, point.lsoaName, h3CellFor(point.latitude, point.longitude))!;
            newPoints.push(point.key);
          }
          // Bounded, so a national import's memory does not grow with its places: a miss costs one lookup.
          if (pointIds.size >= MAX_CACHED_POINTS) pointIds.clear();
          pointIds.set(point.key, id);
        }
        return id;
      };

      const writer: FileWriter = {
        async writeCrimes(batch: CrimeRecord[]) {
          if (!open) throw new Error("the import of this file was stopped");
          const values: unknown[] = [];
          for (const r of batch) {
            values.push(r.line, r.rowKey, r.crimeId, r.month, r.reportedBy, r.fallsWithin, pointId(r), r.crimeType, r.lastOutcome, r.context, r.sequence);
          }
          stage(values, batch.length);
          staged += batch.length;
        },
        async writeOutcomes(batch: OutcomeRecord[]) {
          if (!open) throw new Error("the import of this file was stopped");
          const values: unknown[] = [];
          for (const r of batch) values.push(r.line, r.crimeId, r.month, r.fallsWithin, r.outcome);
          stage(values, batch.length);
          staged += batch.length;
        },
        async commit(held: HeldMonth[]) {
          if (!open) throw new Error("the import of this file was stopped");
          const distinct = prepared(staging.upsert).run().changes;
          const inserted = prepared(`SELECT count(*) FROM ${staging.target} WHERE id > ?`).pluck().get(before) as number;
          const counts: WriteCounts = { inserted, updated: distinct - inserted, duplicates: staged - distinct, removedWithoutId: 0 };
          const removeWithoutId = prepared("DELETE FROM police_crimes WHERE crime_id IS NULL AND falls_within = ? AND month = ? AND sequence > ?");
          const count = prepared(`SELECT count(*) FROM ${staging.target} WHERE falls_within = ? AND month = ?`).pluck();
          const holdMonth = prepared(
            "INSERT INTO police_months (falls_within, month, kind, rows) VALUES (?, ?, ?, ?) ON CONFLICT (falls_within, month, kind) DO UPDATE SET rows = excluded.rows",
          );
          const wasHeld = prepared("SELECT 1 FROM police_months WHERE falls_within = ? AND month = ? AND kind = 'street'").pluck();
          for (const month of held) {
            // Rows without an id can only be left over from an earlier import of the same month.
            if (kind === "street" && wasHeld.get(month.fallsWithin, month.month)) counts.removedWithoutId += removeWithoutId.run(month.fallsWithin, month.month, month.withoutId).changes;
            holdMonth.run(month.fallsWithin, month.month, kind, count.get(month.fallsWithin, month.month));
          }
          db.exec(`DELETE FROM ${staging.table}`);
          db.exec("COMMIT");
          open = false;
          return counts;
        },
        async rollback() {
          if (!open) return;
          open = false;
          if (db.inTransaction) db.exec("ROLLBACK");
          for (const key of newPoints) pointIds.delete(key);
        },
      };
      return writer;
    },
    async close() {
      if (db.inTransaction) db.exec("ROLLBACK");
      db.close();
    },
  };
}
