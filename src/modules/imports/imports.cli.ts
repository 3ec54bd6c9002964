// `openbeat import police-uk FILE_OR_FOLDER…`: progress on standard error, the summary on standard output.
import { Worker } from "node:worker_threads";
import { ConfigError, type Config } from "../../config.ts";
import type { Database } from "../../db/database.ts";
import { AreasRepository } from "../areas/areas.repository.ts";
import { AreasService } from "../areas/areas.service.ts";
import { ImportsRepository } from "./imports.repository.ts";
import { ImportsService } from "./imports.service.ts";
import type { WorkerMessage } from "./import.worker.ts";
import type { ImportSummary } from "./police-uk.importer.ts";
import { progressReporter, summaryLines } from "./progress.ts";

/**
 * The import service alone, without the rest of createServices (and the modules it loads). An
 * import changes area membership only, never an area itself, so the areas service needs no
 * listener for changed areas here.
 */
export function importsServiceFor(config: Config, database: Database): ImportsService {
  return new ImportsService(config, database, new ImportsRepository(database.db), new AreasService(new AreasRepository(database.db)));
}

/** The import's heap, in MB: about three times what it holds at 1M or 10M rows (its caches of snap points are bounded). */
const HEAP_MB = 96;
/** Its young generation, in MB: smaller than V8's default, which alone added about 14 MB to the peak (measured at 1M rows). */
const YOUNG_MB = 24;

function workerUrl(): URL {
  // From src/ (tests, tsx) the worker is its TypeScript file; from the bundle, its own entry beside this chunk.
  return import.meta.url.endsWith(".ts") ? new URL("./import.worker.ts", import.meta.url) : new URL("./import-worker.js", import.meta.url);
}

/**
 * Imports and prints the summary; answers the exit code (1 when a file was refused or failed).
 * The import runs in a worker thread with a capped heap: V8 otherwise lets a busy heap grow to
 * several times what it holds (150 MB of mostly garbage for 34 MB live), which put the command
 * over 200 MB. Progress comes back as messages and is drawn here, on the real terminal.
 */
export async function importPoliceUkCommand(paths: string[], options: { json?: boolean }): Promise<number> {
  const reporter = progressReporter();
  const started = performance.now();
  try {
    const done = await new Promise<{ jobId: number; summary: ImportSummary }>((resolve, reject) => {
      const worker = new Worker(workerUrl(), { workerData: { paths }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: YOUNG_MB } });
      let result: { jobId: number; summary: ImportSummary } | null = null;
      worker.on("message", (message: WorkerMessage) => {
        if (message.kind === "progress") reporter.progress(message.progress);
        else if (message.kind === "file") reporter.file(message.result);
        else if (message.kind === "done") result = { jobId: message.jobId, summary: message.summary };
        else reject(message.userError ? new ConfigError(message.message) : Object.assign(new Error(message.message), { stack: message.stack }));
      });
      worker.on("error", (error: Error & { code?: string }) =>
        reject(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new Error(`the import ran out of memory (${HEAP_MB} MB); the file it was importing was rolled back, and the files before it were kept`)
            : error,
        ),
      );
      worker.on("exit", () => (result ? resolve(result) : reject(new Error("the import stopped without finishing"))));
    });
    reporter.stop();
    const seconds = (performance.now() - started) / 1000;
    if (options.json) console.log(JSON.stringify({ job: done.jobId, seconds, ...done.summary }, null, 2));
    else for (const line of summaryLines(done.summary, seconds)) console.log(line);
    return done.summary.totals.refused + done.summary.totals.failed > 0 ? 1 : 0;
  } finally {
    reporter.stop();
  }
}
