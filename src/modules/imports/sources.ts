// What the analyst points the importer at: files, folders of monthly files (police.uk's
// downloads are a folder per month) and zip archives, all turned into a list of CSV sources
// that are opened one at a time and streamed, never read whole.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import yauzl from "yauzl";

export interface ImportSource {
  /** As the analyst knows it: a path, or "archive.zip/2018-01/2018-01-essex-street.csv". */
  name: string;
  /** Bytes it holds (uncompressed for zip entries): for progress. */
  size: number;
  open(): Promise<Readable>;
}

export interface ExpandedInputs {
  sources: ImportSource[];
  /** Files found in folders or archives that are not CSV: left alone, and listed. */
  ignored: string[];
  /** Paths that could not be read at all, with why. */
  problems: Array<{ name: string; reason: string }>;
  close(): Promise<void>;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function isZip(file: string): boolean {
  const handle = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    const read = fs.readSync(handle, head, 0, 4, 0);
    return read === 4 && head.equals(ZIP_MAGIC);
  } finally {
    fs.closeSync(handle);
  }
}

function fileSource(file: string, name: string): ImportSource {
  return { name, size: fs.statSync(file).size, open: async () => fs.createReadStream(file, { highWaterMark: 64 * 1024 }) };
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, zip) => (error || !zip ? reject(error ?? new Error("unreadable zip")) : resolve(zip))),
  );
}

async function zipEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.on("error", reject);
    zip.readEntry();
  });
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error ?? new Error("unreadable entry")) : resolve(stream))),
  );
}

/**
 * Expands paths into CSV sources in name order (police.uk names files by month). A file named
 * directly is always tried, so a wrong kind of file is refused with a reason rather than skipped;
 * inside folders and archives only .csv files are taken.
 */
export async function expandInputs(paths: string[], displayNames: string[] = paths): Promise<ExpandedInputs> {
  const sources: ImportSource[] = [];
  const ignored: string[] = [];
  const problems: Array<{ name: string; reason: string }> = [];
  const zips: yauzl.ZipFile[] = [];

  async function addZip(file: string, name: string): Promise<void> {
    let zip: yauzl.ZipFile;
    try {
      zip = await openZip(file);
    } catch (error) {
      problems.push({ name, reason: `refused: a damaged zip archive (${(error as Error).message})` });
      return;
    }
    zips.push(zip);
    const entries = (await zipEntries(zip)).sort((a, b) => a.fileName.localeCompare(b.fileName));
    let taken = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith("/")) continue;
      const entryName = `${name}/${entry.fileName}`;
      if (!entry.fileName.toLowerCase().endsWith(".csv") || entry.fileName.startsWith("__MACOSX/")) {
        ignored.push(entryName);
        continue;
      }
      taken++;
      sources.push({ name: entryName, size: entry.uncompressedSize, open: () => entryStream(zip, entry) });
    }
    if (taken === 0) problems.push({ name, reason: "refused: a zip archive with no CSV files in it" });
  }

  async function addFolder(folder: string, name: string): Promise<void> {
    const entries = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      const shown = path.join(name, entry.name);
      if (entry.isDirectory()) await addFolder(full, shown);
      else if (entry.name.toLowerCase().endsWith(".zip")) await addZip(full, shown);
      else if (entry.name.toLowerCase().endsWith(".csv")) sources.push(fileSource(full, shown));
      else ignored.push(shown);
    }
  }

  for (const [index, given] of paths.entries()) {
    const name = displayNames[index] ?? given;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch {
      problems.push({ name, reason: "not found: check the path" });
      continue;
    }
    if (stat.isDirectory()) await addFolder(given, name);
    else if (isZip(given)) await addZip(given, name);
    else sources.push(fileSource(given, name));
  }

  return {
    sources,
    ignored,
    problems,
    close: async () => {
      for (const zip of zips) zip.close();
    },
  };
}
