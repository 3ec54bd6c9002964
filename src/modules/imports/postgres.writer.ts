// PostgreSQL: its own client, one transaction per file; rows are streamed with COPY into a
// temporary staging table (dropped at commit), then snap points and crimes are upserted from it
// in a few set-based statements. The COPY stream's backpressure reaches back to the parser.
import { once } from "node:events";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { h3CellFor } from "../../domain/geo.ts";
import { CRIME_COLUMNS, type CrimeRecord, type FileWriter, type HeldMonth, type ImportConnection, type OutcomeRecord, type WriteCounts } from "./writer.ts";

const STAGING_COLUMNS = [
  "line",
  "row_key",
  "crime_id",
  "month",
  "reported_by",
  "falls_within",
  "point_key",
  "longitude",
  "latitude",
  "location",
  "lsoa_code",
  "lsoa_name",
  "h3_cell",
  "crime_type",
  "last_outcome",
  "context",
  "sequence",
];

const OUTCOME_STAGING_COLUMNS = ["line", "crime_id", "month", "falls_within", "outcome_type"];

/** Snap points remembered as already in the database (England and Wales have about 700,000). */
const MAX_KNOWN_POINTS = 100_000;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format. */
function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  const text = String(value);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function openPostgresImport(url: string, schema: string | undefined): ImportConnection {
  let client: pg.Client | null = null;
  /** Snap points known to be in the database, committed: their details need not be staged again. */
  const knownPoints = new Set<string>();

  async function connect(): Promise<pg.Client> {
    if (client) return client;
    const fresh = new pg.Client({ connectionString: url });
    fresh.on("error", () => {});
    await fresh.connect();
    if (schema) await fresh.query(`SET search_path TO ${quoteIdentifier(schema)}`);
    client = fresh;
    return fresh;
  }

  async function discard(): Promise<void> {
    const old = client;
    client = null;
    // Closing the connection mid-COPY aborts its transaction on the server: nothing of the file stays.
    await old?.end().catch(() => {});
  }

  return {
    async begin(kind) {
      const connection = await connect();
      await connection.query("BEGIN");
      // Room to sort a file's rows by Crime ID in memory rather than on disk (this transaction only).
      await connection.query("SET LOCAL work_mem = '64MB'");
      const street = kind === "street";
      const staging = street ? "police_staging" : "police_outcome_staging";
      const columns = street ? STAGING_COLUMNS : OUTCOME_STAGING_COLUMNS;
      await connection.query(
        street
          ? `CREATE TEMP TABLE police_staging (line integer, row_key text, crime_id text, month text, reported_by text, falls_within text,
               point_key text, longitude double precision, latitude double precision, location text, lsoa_code text, lsoa_name text,
               h3_cell text, crime_type text, last_outcome text, context text, sequence integer) ON COMMIT DROP`
          : `CREATE TEMP TABLE police_outcome_staging (line integer, crime_id text, month text, falls_within text, outcome_type text) ON COMMIT DROP`,
      );
      const copy = connection.query(copyFrom(`COPY ${staging} (${columns.join(", ")}) FROM STDIN`));
      let copyError: Error | null = null;
      copy.on("error", (error: Error) => {
        copyError = error;
      });
      const stagedPoints = new Set<string>();
      let staged = 0;
      let open = true;

      async function send(text: string): Promise<void> {
        if (copyError) throw copyError;
        if (!copy.write(text)) await Promise.race([once(copy, "drain"), once(copy, "error")]);
        if (copyError) throw copyError;
      }

      const writer: FileWriter = {
        async writeCrimes(batch: CrimeRecord[]) {
          if (!open) throw new Error("the import of this file was stopped");
          let text = "";
          for (const r of batch) {
            const point = r.point;
            // A point's details go in once per file, on its first row; the others carry its key.
            const first = point !== null && !knownPoints.has(point.key) && !stagedPoints.has(point.key);
            if (first) stagedPoints.add(point.key);
            text += [
              r.line,
              r.rowKey,
              r.crimeId,
              r.month,
              r.reportedBy,
              r.fallsWithin,
              point?.key ?? null,
              first ? point.longitude : null,
              first ? point.latitude : null,
              first ? point.location : null,
              first ? point.lsoaCode : null,
              first ? point.lsoaName : null,
              first ? h3CellFor(point.latitude, point.longitude) : null,
              r.crimeType,
              r.lastOutcome,
              r.context,
              r.sequence,
            ]
              .map(copyText)
              .join("\t");
            text += "\n";
          }
          staged += batch.length;
          await send(text);
        },
        async writeOutcomes(batch: OutcomeRecord[]) {
          if (!open) throw new Error("the import of this file was stopped");
          let text = "";
          for (const r of batch) text += `${[r.line, r.crimeId, r.month, r.fallsWithin, r.outcome].map(copyText).join("\t")}\n`;
          await send(text);
        },
        async commit(held: HeldMonth[]) {
          if (!open) throw new Error("the import of this file was stopped");
          copy.end();
          await Promise.race([once(copy, "finish"), once(copy, "error")]);
          if (copyError) throw copyError;
          const counts: WriteCounts = { inserted: 0, updated: 0, duplicates: 0, removedWithoutId: 0 };
          const number = (value: unknown) => Number(value ?? 0);
          if (street) {
            await connection.query(
              `INSERT INTO snap_points (key, longitude, latitude, location, lsoa_code, lsoa_name, h3_cell)
               SELECT point_key, longitude, latitude, location, lsoa_code, lsoa_name, h3_cell FROM police_staging
               WHERE longitude IS NOT NULL ON CONFLICT (key) DO NOTHING`,
            );
            const updates = CRIME_COLUMNS.filter((c) => c !== "row_key")
              .map((c) => `${c} = excluded.${c}`)
              .join(", ");
            const result = await connection.query(
              `WITH source AS (
                 SELECT DISTINCT ON (s.row_key) s.row_key, s.crime_id, s.month, s.reported_by, s.falls_within, p.id AS snap_point_id,
                        s.crime_type, s.last_outcome, s.context, s.sequence
                 FROM police_staging s LEFT JOIN snap_points p ON p.key = s.point_key
                 ORDER BY s.row_key, s.line DESC
               ), written AS (
                 INSERT INTO police_crimes (${CRIME_COLUMNS.join(", ")}) SELECT * FROM source
                 ON CONFLICT (row_key) DO UPDATE SET ${updates}
                 RETURNING (xmax = 0) AS inserted
               )
               SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
               FROM written`,
            );
            counts.inserted = number(result.rows[0].inserted);
            counts.updated = number(result.rows[0].updated);
            // Every staged row repeating an id was folded into the one written for it.
            counts.duplicates = staged - counts.inserted - counts.updated;
          } else {
            const result = await connection.query(
              `WITH source AS (
                 SELECT DISTINCT ON (crime_id, month, outcome_type) crime_id, month, falls_within, outcome_type
                 FROM police_outcome_staging ORDER BY crime_id, month, outcome_type, line DESC
               ), written AS (
                 INSERT INTO police_outcomes (crime_id, month, falls_within, outcome_type) SELECT * FROM source
                 ON CONFLICT (crime_id, month, outcome_type) DO UPDATE SET falls_within = excluded.falls_within
                 RETURNING (xmax = 0) AS inserted
               )
               SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
                      (SELECT count(*) FROM police_outcome_staging) - (SELECT count(*) FROM source) AS duplicates
               FROM written`,
            );
            counts.inserted = number(result.rows[0].inserted);
            counts.updated = number(result.rows[0].updated);
            counts.duplicates = number(result.rows[0].duplicates);
          }
          const table = street ? "police_crimes" : "police_outcomes";
          const heldBefore = await connection.query<{ falls_within: string; month: string }>(
            "SELECT falls_within, month FROM police_months WHERE kind = 'street' AND month = ANY($1::text[])",
            [held.map((m) => m.month)],
          );
          const wasHeld = new Set(heldBefore.rows.map((r) => `${r.falls_within}\u0000${r.month}`));
          for (const month of held) {
            // Rows without an id can only be left over from an earlier import of the same month.
            if (street && wasHeld.has(`${month.fallsWithin}\u0000${month.month}`)) {
              const removed = await connection.query(
                "DELETE FROM police_crimes WHERE crime_id IS NULL AND falls_within = $1 AND month = $2 AND sequence > $3",
                [month.fallsWithin, month.month, month.withoutId],
              );
              counts.removedWithoutId += removed.rowCount ?? 0;
            }
            await connection.query(
              `INSERT INTO police_months (falls_within, month, kind, rows)
               VALUES ($1, $2, $3, (SELECT count(*) FROM ${table} WHERE falls_within = $1 AND month = $2))
               ON CONFLICT (falls_within, month, kind) DO UPDATE SET rows = excluded.rows`,
              [month.fallsWithin, month.month, kind],
            );
          }
          await connection.query("COMMIT");
          open = false;
          // Bounded, so a national import's memory does not grow with its places: a point forgotten
          // is only staged with its details again, and its insert skipped as a conflict.
          if (knownPoints.size + stagedPoints.size > MAX_KNOWN_POINTS) knownPoints.clear();
          for (const key of stagedPoints) knownPoints.add(key);
          return counts;
        },
        async rollback() {
          if (!open) return;
          open = false;
          await discard();
        },
      };
      return writer;
    },
    async close() {
      await discard();
    },
  };
}
