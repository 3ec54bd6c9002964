// The command line's police.uk import, run in a worker thread whose heap is capped (see
// imports.cli.ts): it opens the database, imports, and tells the main thread of its progress,
// each file's result and the summary. Errors go back as messages, so the main thread can say
// what was wrong in the command line's usual words.
import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../../config.ts";
import { openDatabase } from "../../db/database.ts";
import { prepareDatabase } from "../../db/prepare.ts";
import { AppError } from "../../http/errors.ts";
import { ConfigError } from "../../config.ts";
import { importsServiceFor } from "./imports.cli.ts";

export type WorkerMessage =
  | { kind: "progress"; progress: import("./police-uk.importer.ts").ImportProgress }
  | { kind: "file"; result: import("./police-uk.importer.ts").FileResult }
  | { kind: "done"; jobId: number; summary: import("./police-uk.importer.ts").ImportSummary }
  | { kind: "failed"; message: string; stack: string | undefined; userError: boolean };

const post = (message: WorkerMessage) => parentPort!.postMessage(message);

try {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await prepareDatabase(database);
    const { jobId, summary } = await importsServiceFor(config, database).run(workerData.paths as string[], {
      source: "cli",
      onProgress: (progress) => post({ kind: "progress", progress }),
      onFile: (result) => post({ kind: "file", result }),
    });
    post({ kind: "done", jobId, summary });
  } finally {
    await database.close();
  }
} catch (error) {
  const userError = error instanceof ConfigError || error instanceof AppError;
  post({ kind: "failed", message: String((error as Error).message ?? error), stack: (error as Error).stack, userError });
}
