// The ceiling for the police.uk import: the same files streamed through papaparse (the fastest
// streaming parser measured here) straight into a prepared INSERT (SQLite, one transaction per
// file, same pragmas as openbeat: WAL, synchronous=FULL) or COPY (PostgreSQL) of the raw fields
// into a table without indexes: no checks, no snap points, no H3, no upsert, no area membership.
// Usage: import-ceiling.ts DATABASE_URL FILE… ; prints {"rows":N,"seconds":S}.
import fs from "node:fs";
import { once } from "node:events";
import type { Readable } from "node:stream";
import Papa from "papaparse";
import SQLite from "better-sqlite3";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

const [url, ...files] = process.argv.slice(2);
if (!url || files.length === 0) throw new Error("usage: import-ceiling.ts DATABASE_URL FILE…");

const COLUMNS = 12;

/** Streams a file's rows (header skipped) in chunks; the parser waits while a chunk is written. */
function parse(file: string, onRows: (rows: string[][]) => Promise<void> | void): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    let header = true;
    Papa.parse<string[]>(fs.createReadStream(file, { highWaterMark: 64 * 1024, encoding: "utf8" }) as unknown as File, {
      header: false,
      skipEmptyLines: true,
      chunk(results, parser) {
        let data = results.data;
        if (header) {
          data = data.slice(1);
          header = false;
        }
        rows += data.length;
        const pending = onRows(data);
        if (pending) {
          parser.pause();
          pending.then(() => parser.resume(), reject);
        }
      },
      complete: () => resolve(rows),
      error: reject,
    });
  });
}

const started = performance.now();
let rows = 0;
if (url.startsWith("sqlite:")) {
  const db = new SQLite(url.slice("sqlite:".length));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE IF NOT EXISTS ceiling_rows (${Array.from({ length: COLUMNS }, (_, i) => `c${i} TEXT`).join(", ")})`);
  const insert = db.prepare(`INSERT INTO ceiling_rows VALUES (${Array(COLUMNS).fill("?").join(", ")})`);
  for (const file of files) {
    db.exec("BEGIN");
    rows += await parse(file, (chunk) => {
      for (const row of chunk) if (row.length === COLUMNS) insert.run(row);
    });
    db.exec("COMMIT");
  }
  db.close();
} else {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE IF NOT EXISTS ceiling_rows (${Array.from({ length: COLUMNS }, (_, i) => `c${i} text`).join(", ")})`);
  const escape = (value: string) => (/[\\\t\n\r]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : value);
  for (const file of files) {
    await client.query("BEGIN");
    const copy = client.query(copyFrom("COPY ceiling_rows FROM STDIN")) as unknown as NodeJS.WritableStream & Readable;
    rows += await parse(file, async (chunk) => {
      let text = "";
      for (const row of chunk) if (row.length === COLUMNS) text += `${row.map(escape).join("\t")}\n`;
      if (!copy.write(text)) await once(copy, "drain");
    });
    copy.end();
    await once(copy, "finish");
    await client.query("COMMIT");
  }
  await client.end();
}
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 }));
