// Progress of an import on the command line: a bar on a terminal, plain lines otherwise (logs, CI).
import cliProgress from "cli-progress";
import { describeFile, type FileResult, type ImportProgress, type ImportSummary } from "./police-uk.importer.ts";
import { NOT_CSV } from "./summary.ts";

export interface ProgressReporter {
  progress(progress: ImportProgress): void;
  file(result: FileResult): void;
  stop(): void;
}

const megabytes = (bytes: number) => (bytes / 1_048_576).toFixed(1);

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: "{bar} {percentage}% | {rows} rows | {file}",
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      progress(p) {
        if (!p.file) return;
        const payload = { rows: p.rowsRead.toLocaleString("en-GB"), file: p.file };
        if (!started) {
          bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
          started = true;
        } else bar.update(p.bytesDone, payload);
      },
      file(result) {
        if (started) bar.stop();
        started = false;
        stream.write(`${describeFile(result)}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    progress(p) {
      const now = Date.now();
      if (now - last < 5000 || !p.file) return;
      last = now;
      const percent = p.bytesTotal ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 0;
      stream.write(`importing ${p.file} (file ${p.fileIndex + 1} of ${p.files}): ${percent}%, ${megabytes(p.bytesDone)} of ${megabytes(p.bytesTotal)} MB, ${p.rowsRead.toLocaleString("en-GB")} rows read\n`);
    },
    file(result) {
      stream.write(`${describeFile(result)}\n`);
    },
    stop() {},
  };
}

/** The summary printed at the end: totals, then each listed file's problems with their lines, then the rest by reason. */
export function summaryLines(summary: ImportSummary, seconds: number): string[] {
  const t = summary.totals;
  const n = (value: number) => value.toLocaleString("en-GB");
  const lines = [
    `Imported ${t.imported} of ${t.files} file${t.files === 1 ? "" : "s"} in ${seconds.toFixed(1)} s (${n(Math.round(t.rowsRead / Math.max(seconds, 0.001)))} rows/s).`,
    `Rows read ${n(t.rowsRead)}, inserted ${n(t.inserted)}, already held ${n(t.updated)} (kept, with any change police.uk made), skipped ${n(t.skipped)}; ${n(t.noLocation)} with no location (kept, not mapped).`,
  ];
  if (t.refused) lines.push(`Refused ${t.refused} file${t.refused === 1 ? "" : "s"}.`);
  if (t.failed) lines.push(`Failed ${t.failed} file${t.failed === 1 ? "" : "s"} (each left the database as it was before it).`);
  for (const file of summary.files) {
    if (file.status !== "imported") lines.push(`  ${file.name}: ${file.message}`);
    for (const problem of file.problems) lines.push(`  ${file.name} line ${problem.line}: ${problem.reason}`);
    if (file.skipped > file.problems.length) lines.push(`  ${file.name}: … and ${n(file.skipped - file.problems.length)} more rows skipped`);
  }
  const examples = (group: ImportSummary["notImported"][number]) => `${group.examples.join(", ")}${group.count > group.examples.length ? ", …" : ""}`;
  if (summary.unlistedFiles) {
    lines.push(`${n(summary.unlistedFiles)} more file${summary.unlistedFiles === 1 ? "" : "s"} not listed one by one. Files not imported, by reason:`);
    for (const group of summary.notImported.filter((g) => g.reason !== NOT_CSV)) lines.push(`  ${n(group.count)}: ${group.reason} (${examples(group)})`);
  }
  const ignored = summary.notImported.find((g) => g.reason === NOT_CSV);
  if (ignored) lines.push(`Ignored ${n(ignored.count)} file${ignored.count === 1 ? "" : "s"} that are not CSV: ${examples(ignored)}`);
  return lines;
}
