// Helpers for the dashboard's tests: read the page's tables and the CSV as a journalist would,
// and check a published table the way an attacker would, for a withheld figure that the shown
// figures and totals give away.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&nbsp;": " " };

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&[#a-z0-9]+;/gi, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim();
}

/** The rows of the table with this id, each a list of its cells' text (header row included). */
export function tableRows(html: string, id: string): string[][] {
  const match = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  assert.ok(match, `the page has a table #${id}`);
  return [...match[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => text(cell[1]!)));
}

/** The key and value of each row of the GOV.UK summary list with this id. */
export function summaryRows(html: string, id: string): Array<[string, string]> {
  const match = new RegExp(`<dl[^>]*id="${id}"[^>]*>([\\s\\S]*?)</dl>`).exec(html);
  assert.ok(match, `the page has a summary list #${id}`);
  return [...match[1]!.matchAll(/<dt[^>]*>([\s\S]*?)<\/dt>\s*<dd[^>]*>([\s\S]*?)<\/dd>/g)].map((row) => [text(row[1]!), text(row[2]!)]);
}

/** "1,130" → 1130; "Withheld", "No data", "—" → null. */
export function figure(cell: string): number | null {
  const cleaned = cell.replace(/,/g, "");
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : null;
}

export type CsvRecord = Record<"section" | "figure" | "area" | "category" | "period" | "cell" | "value", string>;

/** RFC 4180 CSV, as a spreadsheet reads it. */
export function parseCsv(body: string): CsvRecord[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...data] = rows;
  assert.deepEqual(header, ["section", "figure", "area", "category", "period", "cell", "value"]);
  return data.map((values) => Object.fromEntries(header!.map((name, i) => [name, values[i] ?? ""])) as CsvRecord);
}

export interface PublishedTable {
  name: string;
  rows: string[];
  columns: string[];
  /** Published cells by row and column; a missing entry is withheld. */
  cells: Map<string, Map<string, number>>;
  rowTotals: Map<string, number>;
  columnTotals: Map<string, number>;
  grandTotal: number | null;
}

/**
 * Every way one published line (a row or a column with its total, or the totals with the
 * grand total) pins down a withheld figure: a single withheld entry, or withheld entries
 * summing to less than k (then each is known to be small, which is what withholding hides).
 */
export function recoverable(table: PublishedTable, k: number): string[] {
  const leaks: string[] = [];
  const check = (label: string, total: number | undefined | null, entries: Array<number | undefined>) => {
    if (total === undefined || total === null) return;
    const hidden = entries.filter((v) => v === undefined).length;
    if (hidden === 0) return;
    const rest = total - entries.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    if (rest === 0) return;
    if (hidden === 1 || rest < k) leaks.push(`${table.name} ${label}: ${hidden} withheld, ${rest} between them`);
  };
  for (const row of table.rows) check(`row ${row}`, table.rowTotals.get(row), table.columns.map((c) => table.cells.get(row)?.get(c)));
  for (const column of table.columns) check(`column ${column}`, table.columnTotals.get(column), table.rows.map((r) => table.cells.get(r)?.get(column)));
  check("row totals", table.grandTotal, table.rows.map((r) => table.rowTotals.get(r)));
  check("column totals", table.grandTotal, table.columns.map((c) => table.columnTotals.get(c)));
  return leaks;
}

/** The map layers of the CSV as published tables: months by cells, with their totals. */
export function mapTables(records: CsvRecord[], cells: string[]): PublishedTable[] {
  const layers = [...new Set(records.filter((r) => r.section === "map").map((r) => r.figure))];
  return layers.map((name) => {
    const mine = records.filter((r) => r.section === "map" && r.figure === name);
    const months = [...new Set(mine.filter((r) => /^\d{4}-\d{2}$/.test(r.period)).map((r) => r.period))].sort();
    const table: PublishedTable = { name, rows: months, columns: cells, cells: new Map(), rowTotals: new Map(), columnTotals: new Map(), grandTotal: null };
    for (const r of mine) {
      const value = Number(r.value);
      if (r.cell && /^\d{4}-\d{2}$/.test(r.period)) {
        const line = table.cells.get(r.period) ?? new Map<string, number>();
        line.set(r.cell, value);
        table.cells.set(r.period, line);
      } else if (r.cell) table.columnTotals.set(r.cell, value);
      else if (/^\d{4}-\d{2}$/.test(r.period)) table.rowTotals.set(r.period, value);
      else table.grandTotal = value;
    }
    return table;
  });
}

/** GET as a person without an account: the page, its status checked. */
export async function fetchPublic(app: FastifyInstance, url: string, accept = "text/html"): Promise<string> {
  const response = await app.inject({ url, headers: { accept } });
  assert.equal(response.statusCode, 200, `${url}: ${response.statusCode} ${response.body.slice(0, 500)}`);
  return response.body;
}
