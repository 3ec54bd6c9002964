// The command line's police.uk import, run in a worker thread whose heap is capped (see
// imports.cli.ts): it opens the database, imports, and tells the main thread of its progress,
// each file's result and the summary. Errors go back as messages, so the main thread can say
// what was wrong in the command line's usual words.
import { parentPort, workerData } from "node:worker_threads";
import { ConfigError } from "../../config.ts";
import { withDatabase } from "../../db/prepare.ts";
import { AppError } from "../../http/errors.ts";
import { importsServiceFor } from "./imports.cli.ts";
import type { FileResult, ImportProgress, ImportSummary } from "./police-uk.importer.ts";

export type WorkerMessage =
  | { kind: "progress"; progress: ImportProgress }
  | { kind: "file"; result: FileResult }
  | { kind: "done"; jobId: number; summary: ImportSummary }
  | { kind: "failed"; message: string; stack: string | undefined; userError: boolean };

const post = (message: WorkerMessage) => parentPort!.postMessage(message);

try {
  const { jobId, summary } = await withDatabase((config, database) =>
    importsServiceFor(config, database).run(workerData.paths as string[], {
      source: "cli",
      onProgress: (progress) => post({ kind: "progress", progress }),
      onFile: (result) => post({ kind: "file", result }),
    }),
  );
  post({ kind: "done", jobId, summary });
} catch (error) {
  const userError = error instanceof ConfigError || error instanceof AppError;
  post({ kind: "failed", message: String((error as Error).message ?? error), stack: (error as Error).stack, userError });
}
