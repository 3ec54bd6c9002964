// `openbeat import police-uk FILE_OR_FOLDER…`: progress on standard error, the summary on standard output.
import type { Services } from "../../services.ts";
import { progressReporter, summaryLines } from "./progress.ts";

/** Imports and prints the summary; answers the exit code (1 when a file was refused or failed). */
export async function importPoliceUkCommand(services: Services, paths: string[], options: { json?: boolean }): Promise<number> {
  const reporter = progressReporter();
  const started = performance.now();
  try {
    const { summary, jobId } = await services.imports.run(paths, {
      source: "cli",
      onProgress: (p) => reporter.progress(p),
      onFile: (f) => reporter.file(f),
    });
    reporter.stop();
    const seconds = (performance.now() - started) / 1000;
    if (options.json) console.log(JSON.stringify({ job: jobId, seconds, ...summary }, null, 2));
    else for (const line of summaryLines(summary, seconds)) console.log(line);
    return summary.totals.refused + summary.totals.failed > 0 ? 1 : 0;
  } finally {
    reporter.stop();
  }
}
