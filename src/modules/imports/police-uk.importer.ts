// Streams police.uk street and outcomes files into the database: each file is recognised from its
// header (a wrong kind is refused, saying what it is), parsed by papaparse chunk by chunk
// (paused while a batch is written, so memory stays flat however large the file), checked row
// by row (a malformed row is reported with its line and reason and skipped), and written in
// one transaction: a file either lands whole or not at all.
import { StringDecoder } from "node:string_decoder";
import { Readable } from "node:stream";
import Papa from "papaparse";
import {
  checkOutcomeRow,
  checkStreetRow,
  detectFileKind,
  snapPointKey,
} from "../../domain/police-uk.ts";
import type { ImportSource } from "./sources.ts";
import { addFile, emptySummary } from "./summary.ts";
import type { CrimeRecord, FileWriter, HeldMonth, ImportConnection, OutcomeRecord } from "./writer.ts";

/** Rows per statement (SQLite) or per COPY write (PostgreSQL). */
export const DEFAULT_BATCH_SIZE = 500;
/** A police.uk row is a few hundred characters; a line this long is not one. */
const MAX_LINE_CHARACTERS = 100_000;
/** Put where an overlong line was cut (a Unicode noncharacter, never in police.uk's text). */
const LONG_LINE_MARK = "\uFFFF";
/** Above any sequence number a month's rows without an id can reach (a PostgreSQL integer). */
const KEEP_ROWS_WITHOUT_ID = 2_147_483_647;
/** Problems listed one by one per file; beyond this they are only counted. */
export const MAX_LISTED_PROBLEMS = 100;

export interface RowProblem {
  line: number;
  reason: string;
}

export interface FileResult {
  name: string;
  status: "imported" | "refused" | "failed";
  kind: "street" | "outcomes" | null;
  /** Why a file was refused or failed. */
  message: string | null;
  rowsRead: number;
  inserted: number;
  updated: number;
  skipped: number;
  duplicates: number;
  /** Rows without an id (anti-social behaviour) from an earlier import that this file no longer has. */
  removedWithoutId: number;
  /** "No Location" rows: kept and counted, on no map and in no area. */
  noLocation: number;
  withoutId: number;
  /** Rows whose crime type was an older police.uk label, mapped to today's. */
  relabelled: number;
  problems: RowProblem[];
  months: Array<{ fallsWithin: string; month: string }>;
}

/** Kept the same size whatever was imported: see summary.ts. */
export interface ImportSummary {
  /** The files in the order they were read, up to MAX_LISTED_FILES. */
  files: FileResult[];
  /** Files read after the list was full: in the totals and reasons only. */
  unlistedFiles: number;
  /** Files and archive entries not imported, counted by reason, with a few examples each. */
  notImported: Array<{ reason: string; count: number; examples: string[] }>;
  totals: {
    files: number;
    imported: number;
    refused: number;
    failed: number;
    /** Entries of folders and archives that are not CSV files. */
    ignored: number;
    rowsRead: number;
    inserted: number;
    updated: number;
    skipped: number;
    duplicates: number;
    noLocation: number;
  };
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesDone: number;
  bytesTotal: number;
  rowsRead: number;
}

export interface ImportOptions {
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Called after each file, committed or not; the next file waits for it. */
  onFile?: (result: FileResult) => void | Promise<void>;
}

export function emptyResult(name: string): FileResult {
  return {
    name,
    status: "imported",
    kind: null,
    message: null,
    rowsRead: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    duplicates: 0,
    removedWithoutId: 0,
    noLocation: 0,
    withoutId: 0,
    relabelled: 0,
    problems: [],
    months: [],
  };
}

/** The first chunk of a stream, and the whole stream again as text (UTF-8 kept whole across chunks). */
async function peek(raw: Readable, onBytes: (count: number) => void): Promise<{ head: Buffer; text: Readable }> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const decoder = new StringDecoder("utf8");
  // CRLF read as LF: the parser takes one line ending per file, and a file with rows appended by
  // another program mixes both (a CR at the end of a chunk waits for the next one).
  let carry = "";
  const lf = (text: string) => {
    const joined = carry + text;
    carry = joined.endsWith("\r") ? "\r" : "";
    return bounded((carry ? joined.slice(0, -1) : joined).replace(/\r\n/g, "\n"));
  };
  // A line far longer than any police.uk row is cut, with a mark the row check reports: the
  // parser reads a line again from its start with every chunk, so a 10 MB line would take
  // minutes. Only a chunk's first and last lines can grow across chunks.
  let lineLength = 0;
  const bounded = (text: string) => {
    const firstBreak = text.indexOf("\n");
    const head = firstBreak === -1 ? text : text.slice(0, firstBreak);
    let out = continueLine(head);
    if (firstBreak === -1) return out;
    const lastBreak = text.lastIndexOf("\n");
    out += text.slice(firstBreak, lastBreak + 1);
    lineLength = 0;
    return out + continueLine(text.slice(lastBreak + 1));
  };
  const continueLine = (segment: string) => {
    const room = MAX_LINE_CHARACTERS - lineLength;
    lineLength += segment.length;
    if (room <= 0) return "";
    return segment.length > room ? segment.slice(0, room) + LONG_LINE_MARK : segment;
  };
  async function* chunks() {
    if (first.done) return;
    onBytes(head.length);
    yield lf(decoder.write(head));
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      onBytes(next.value.length);
      yield lf(decoder.write(next.value));
    }
    const rest = lf(decoder.end()) + bounded(carry);
    if (rest) yield rest;
  }
  return { head, text: Readable.from(chunks(), { objectMode: false, encoding: "utf8" }) };
}

function headerFields(head: Buffer): string[] | null {
  const text = head.subarray(0, 8192).toString("utf8");
  const end = text.search(/\r?\n/);
  const line = end === -1 ? text : text.slice(0, end);
  if (!line) return null;
  return Papa.parse<string[]>(line, { header: false }).data[0] ?? null;
}

/**
 * Parses rows chunk by chunk. When the handler returns a promise (a batch is being written) the
 * parser, and the stream under it, pause until it settles.
 */
function parseRows(input: Readable, onRows: (rows: string[][], errors: Papa.ParseError[]) => Promise<void> | void): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopped = false;
    const stop = (error: unknown, parser?: Papa.Parser) => {
      if (stopped) return;
      stopped = true;
      parser?.abort();
      input.destroy();
      reject(error);
    };
    Papa.parse<string[]>(input as unknown as File, {
      header: false,
      skipEmptyLines: false,
      chunk(results, parser) {
        if (stopped) return;
        let pending: Promise<void> | void;
        try {
          pending = onRows(results.data, results.errors);
        } catch (error) {
          stop(error, parser);
          return;
        }
        if (pending) {
          parser.pause();
          pending.then(
            () => {
              if (!stopped) parser.resume();
            },
            (error) => stop(error, parser),
          );
        }
      },
      complete() {
        if (!stopped) {
          stopped = true;
          resolve();
        }
      },
      error(error: Error) {
        stop(error);
      },
    });
  });
}

const rowsWord = (count: number) => `${count.toLocaleString("en-GB")} row${count === 1 ? "" : "s"}`;

export function describeFile(result: FileResult): string {
  if (result.status === "refused") return `${result.name}: ${result.message}`;
  if (result.status === "failed") return `${result.name}: ${result.message}`;
  const parts = [`${result.kind} file, ${rowsWord(result.rowsRead)} read`, `${result.inserted.toLocaleString("en-GB")} inserted`, `${result.updated.toLocaleString("en-GB")} updated`, `${result.skipped.toLocaleString("en-GB")} skipped`];
  if (result.noLocation) parts.push(`${result.noLocation.toLocaleString("en-GB")} with no location (kept, not mapped)`);
  if (result.duplicates) parts.push(`${result.duplicates} repeating a Crime ID in the file (the later row kept)`);
  if (result.relabelled) parts.push(`${result.relabelled} with an older crime type label, mapped to today's`);
  if (result.removedWithoutId) parts.push(`${result.removedWithoutId} earlier rows without an id removed`);
  return `${result.name}: ${parts.join(", ")}`;
}

/**
 * Imports sources one file at a time, each in its own transaction. A file that is refused or
 * fails leaves the database as it was before that file and does not stop the others.
 */
export async function importPoliceUk(connection: ImportConnection, sources: ImportSource[], options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const bytesTotal = sources.reduce((sum, s) => sum + s.size, 0);
  let bytesBefore = 0;
  let rowsBefore = 0;
  const summary = emptySummary();

  for (const [fileIndex, source] of sources.entries()) {
    let bytesInFile = 0;
    const result = emptyResult(source.name);
    const progress = () =>
      options.onProgress?.({
        file: source.name,
        fileIndex,
        files: sources.length,
        bytesDone: bytesBefore + bytesInFile,
        bytesTotal,
        rowsRead: rowsBefore + result.rowsRead,
      });
    progress();
    await importFile(source, result, connection, batchSize, (count) => {
      bytesInFile += count;
    }, progress);
    bytesBefore += source.size;
    rowsBefore += result.rowsRead;
    addFile(summary, result);
    await options.onFile?.(result);
  }
  options.onProgress?.({ file: "", fileIndex: sources.length, files: sources.length, bytesDone: bytesTotal, bytesTotal, rowsRead: rowsBefore });

  return summary;
}

async function importFile(
  source: ImportSource,
  result: FileResult,
  connection: ImportConnection,
  batchSize: number,
  onBytes: (count: number) => void,
  progress: () => void,
): Promise<void> {
  let raw: Readable;
  try {
    raw = await source.open();
  } catch (error) {
    result.status = "failed";
    result.message = `could not be read (${(error as Error).message})`;
    return;
  }
  let lastProgress = 0;
  let opened: { head: Buffer; text: Readable };
  try {
    opened = await peek(raw, (count) => {
      onBytes(count);
      const now = Date.now();
      if (now - lastProgress > 200) {
        lastProgress = now;
        progress();
      }
    });
  } catch (error) {
    raw.destroy();
    result.status = "failed";
    result.message = `could not be read (${(error as Error).message})`;
    return;
  }
  const kind = detectFileKind(opened.head, headerFields(opened.head));
  if (kind.kind === "refused") {
    raw.destroy();
    result.status = "refused";
    result.message = `refused: this is ${kind.what}, judging by line 1. openbeat imports police.uk street-level crime files (…-street.csv) and outcomes files (…-outcomes.csv).`;
    return;
  }
  result.kind = kind.kind;
  const street = kind.kind === "street";

  const held = new Map<string, HeldMonth>();
  const crimes: CrimeRecord[] = [];
  const outcomes: OutcomeRecord[] = [];
  let line = 0;
  let writer: FileWriter | null = null;

  const skip = (at: number, reason: string) => {
    result.skipped++;
    if (result.problems.length < MAX_LISTED_PROBLEMS) result.problems.push({ line: at, reason });
  };
  const hold = (fallsWithin: string, month: string): HeldMonth => {
    const key = `${fallsWithin}\u0000${month}`;
    let entry = held.get(key);
    if (!entry) {
      entry = { fallsWithin, month, withoutId: 0 };
      held.set(key, entry);
    }
    return entry;
  };

  async function flush(all: boolean): Promise<void> {
    while (crimes.length >= batchSize || (all && crimes.length > 0)) await writer!.writeCrimes(crimes.splice(0, batchSize));
    while (outcomes.length >= batchSize || (all && outcomes.length > 0)) await writer!.writeOutcomes(outcomes.splice(0, batchSize));
  }

  const onRows = (rows: string[][], errors: Papa.ParseError[]): Promise<void> | void => {
    const broken = errors.length ? new Map(errors.filter((e) => e.row !== undefined).map((e) => [e.row!, e.message])) : null;
    for (const [index, fields] of rows.entries()) {
      const at = line + 1;
      line++;
      for (const field of fields) if (field.includes("\n")) line += field.split("\n").length - 1;
      if (at === 1) continue;
      if (fields.length === 1 && fields[0]!.trim() === "") continue;
      result.rowsRead++;
      const parseProblem = broken?.get(index);
      if (parseProblem) {
        skip(at, `the row is not valid CSV (${parseProblem})`);
        continue;
      }
      // Bytes that are not UTF-8 were read as U+FFFD: keep no mangled names, and say why. A NUL
      // byte is binary data, which PostgreSQL cannot store in text (it would stop the whole file).
      const odd = fields.find((field) => /[\u0000\uFFFD\uFFFF]/.test(field));
      if (odd !== undefined) {
        skip(
          at,
          odd.includes(LONG_LINE_MARK)
            ? `the line is longer than ${MAX_LINE_CHARACTERS.toLocaleString("en-GB")} characters: not a police.uk row`
            : odd.includes("\u0000")
              ? "the row holds a NUL byte: binary data, not text"
              : "the row is not UTF-8 text (was the file saved as Latin-1 or Windows-1252? Save it again as CSV UTF-8)",
        );
        continue;
      }
      if (street) {
        const checked = checkStreetRow(fields);
        if (!checked.ok) {
          skip(at, checked.reason);
          continue;
        }
        const row = checked.row;
        const month = hold(row.fallsWithin, row.month);
        if (!row.point) result.noLocation++;
        if (row.relabelled) result.relabelled++;
        let sequence: number | null = null;
        if (!row.crimeId) {
          result.withoutId++;
          sequence = ++month.withoutId;
        }
        crimes.push({
          line: at,
          rowKey: row.crimeId ? `${row.month}|${row.crimeId}` : `${row.month}|~${row.fallsWithin}|${sequence}`,
          crimeId: row.crimeId,
          month: row.month,
          reportedBy: row.reportedBy,
          fallsWithin: row.fallsWithin,
          point: row.point ? { ...row.point, key: snapPointKey(row.point) } : null,
          crimeType: row.category,
          lastOutcome: row.lastOutcome,
          context: row.context,
          sequence,
        });
      } else {
        const checked = checkOutcomeRow(fields);
        if (!checked.ok) {
          skip(at, checked.reason);
          continue;
        }
        const row = checked.row;
        hold(row.fallsWithin, row.month);
        outcomes.push({ line: at, crimeId: row.crimeId, month: row.month, fallsWithin: row.fallsWithin, outcome: row.outcome });
      }
    }
    if (crimes.length >= batchSize || outcomes.length >= batchSize) return flush(false);
  };

  try {
    writer = await connection.begin(kind.kind);
    await parseRows(opened.text, onRows);
    await flush(true);
    // A file with rows that could not be read may be a cut-short copy of a month already held:
    // its missing rows without an id are kept, not taken as removed by a correction.
    const months = [...held.values()].map((month) => (result.skipped > 0 ? { ...month, withoutId: KEEP_ROWS_WITHOUT_ID } : month));
    const counts = await writer.commit(months);
    Object.assign(result, counts);
    result.months = [...held.values()].map(({ fallsWithin, month }) => ({ fallsWithin, month }));
  } catch (error) {
    raw.destroy();
    await writer?.rollback();
    result.status = "failed";
    result.message = `stopped after line ${line} (${(error as Error).message}); nothing from this file was kept, the database is as it was before it`;
    result.inserted = 0;
    result.updated = 0;
    result.duplicates = 0;
    result.removedWithoutId = 0;
  }
}
