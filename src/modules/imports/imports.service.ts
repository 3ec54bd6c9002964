// Import jobs: the same police.uk import for the command line and for analysts in the browser.
// Each run is recorded in import_jobs; its live progress is kept in memory while it runs (an
// SQLite file is locked for writing while a file loads, so within a file only PostgreSQL also
// writes progress to the table) and saved after every file. After every file imported, each
// operation's area membership is worked out again, since new snap points may fall in its areas.
import { sql } from "kysely";
import type { Config } from "../../config.ts";
import type { Database } from "../../db/database.ts";
import { fromJson, toJson } from "../../db/database.ts";
import { errors } from "../../http/errors.ts";
import type { AreasService } from "../areas/areas.service.ts";
import { markDashboardStale } from "../dashboard/dashboard.repository.ts";
import { emptyResult, importPoliceUk, type FileResult, type ImportProgress, type ImportSummary } from "./police-uk.importer.ts";
import { addFile, addIgnored } from "./summary.ts";
import { openPostgresImport } from "./postgres.writer.ts";
import { expandInputs } from "./sources.ts";
import { openSqliteImport } from "./sqlite.writer.ts";
import type { ImportJobRow, ImportsRepository } from "./imports.repository.ts";
import type { ImportConnection } from "./writer.ts";

export type JobStatus = "queued" | "running" | "finished" | "partly-imported" | "nothing-imported" | "failed" | "interrupted";

export interface JobView {
  id: number;
  status: JobStatus;
  source: string;
  fileNames: string[];
  createdAt: string;
  finishedAt: string | null;
  percent: number;
  rowsRead: number;
  currentFile: string | null;
  summary: ImportSummary | null;
  error: string | null;
}

export interface RunOptions {
  source: "cli" | "web";
  userId?: number | null;
  /** Names to show for the paths (an upload's original file names rather than temporary paths). */
  displayNames?: string[];
  onProgress?: (progress: ImportProgress) => void;
  onFile?: (result: FileResult) => void;
  batchSize?: number;
}

/** A job that has not moved for this long and is not running here was stopped (the server restarted). */
const STALE_AFTER_MS = 5 * 60_000;

export class ImportsService {
  private readonly live = new Map<number, ImportProgress>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly config: Config,
    private readonly database: Database,
    private readonly repository: ImportsRepository,
    private readonly areas: AreasService,
  ) {}

  /** A connection of its own for bulk loading, to the same database. */
  async openConnection(): Promise<ImportConnection> {
    const target = this.config.database;
    if (target.dialect === "sqlite") {
      if (target.file === ":memory:") throw errors.badRequest("The police.uk import needs a database file or PostgreSQL, not an in-memory SQLite database.");
      return openSqliteImport(target.file);
    }
    let schema = (this.database as Database & { schema?: string }).schema;
    if (!schema) {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(this.database.db);
      schema = rows[0]?.schema;
    }
    return openPostgresImport(target.url, schema);
  }

  /** Imports files, folders and zip archives, recorded as a job; answers when it is done. */
  async run(paths: string[], options: RunOptions, existingJobId?: number): Promise<{ jobId: number; summary: ImportSummary }> {
    const names = options.displayNames ?? paths;
    const inputs = await expandInputs(paths, names);
    const totalBytes = inputs.sources.reduce((sum, s) => sum + s.size, 0);
    const now = new Date().toISOString();
    const jobId =
      existingJobId ??
      (await this.repository.create({ source: options.source, fileNames: toJson(names), userId: options.userId ?? null, totalBytes, status: "running", now }));
    if (existingJobId) await this.repository.update(jobId, { status: "running", totalBytes, updatedAt: now });

    let heartbeat: Promise<void> = Promise.resolve();
    let lastBeat = 0;
    let connection: ImportConnection | null = null;
    try {
      connection = await this.openConnection();
      const summary = await importPoliceUk(connection, inputs.sources, {
        batchSize: options.batchSize,
        onProgress: (progress) => {
          this.live.set(jobId, progress);
          options.onProgress?.(progress);
          const at = Date.now();
          if (this.database.dialect === "postgres" && at - lastBeat > 2000) {
            lastBeat = at;
            heartbeat = heartbeat.then(() => this.saveProgress(jobId, progress)).catch(() => {});
          }
        },
        // Saved between files, when SQLite's write lock is free: the next file waits for it. At
        // most once a second, so an archive of thousands of tiny entries is not a write each.
        onFile: async (result) => {
          // Membership follows each committed file, before the file is reported done, so an import
          // stopped part-way (even killed) leaves areas that match the files it kept.
          if (result.status === "imported") await this.areas.recomputeAll();
          options.onFile?.(result);
          const progress = this.live.get(jobId);
          const at = Date.now();
          if (progress && at - lastBeat > 1000) {
            lastBeat = at;
            heartbeat = heartbeat.then(() => this.saveProgress(jobId, progress)).catch(() => {});
          }
          await heartbeat;
        },
      });
      for (const name of inputs.ignored) addIgnored(summary, name);
      for (const problem of inputs.problems) {
        addFile(summary, { ...emptyResult(problem.name), status: problem.reason.startsWith("refused") ? "refused" : "failed", message: problem.reason });
      }
      await connection.close();
      connection = null;
      await heartbeat;
      const finished = new Date().toISOString();
      await this.repository.update(jobId, {
        status: "finished",
        doneBytes: totalBytes,
        rowsRead: summary.totals.rowsRead,
        currentFile: null,
        summary: toJson(summary),
        updatedAt: finished,
        finishedAt: finished,
      });
      return { jobId, summary };
    } catch (error) {
      await heartbeat;
      const finished = new Date().toISOString();
      await this.repository.update(jobId, { status: "failed", error: (error as Error).message, updatedAt: finished, finishedAt: finished });
      throw error;
    } finally {
      this.live.delete(jobId);
      await connection?.close().catch(() => {});
      await inputs.close();
      // Files imported before a failure are saved too: the dashboards must show them either way.
      await markDashboardStale(this.database.db, null).catch(() => {});
    }
  }

  private async saveProgress(jobId: number, progress: ImportProgress): Promise<void> {
    await this.repository.update(jobId, {
      doneBytes: progress.bytesDone,
      rowsRead: progress.rowsRead,
      currentFile: progress.file || null,
      updatedAt: new Date().toISOString(),
    });
  }

  /** Starts an import in the background (the browser's upload) and answers with its job id at once. */
  async start(upload: { paths: string[]; names: string[]; userId: number | null; cleanup: () => Promise<void> }): Promise<number> {
    const now = new Date().toISOString();
    const jobId = await this.repository.create({ source: "web", fileNames: toJson(upload.names), userId: upload.userId, totalBytes: 0, status: "queued", now });
    this.live.set(jobId, { file: "", fileIndex: 0, files: upload.names.length, bytesDone: 0, bytesTotal: 0, rowsRead: 0 });
    const work = this.run(upload.paths, { source: "web", userId: upload.userId, displayNames: upload.names }, jobId)
      .catch(async (error: Error) => {
        const finished = new Date().toISOString();
        await this.repository.update(jobId, { status: "failed", error: error.message, updatedAt: finished, finishedAt: finished }).catch(() => {});
      })
      .finally(async () => {
        await upload.cleanup().catch(() => {});
        this.background.delete(work);
      });
    this.background.add(work);
    return jobId;
  }

  /** Waits for background imports started here to finish. */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  private view(row: ImportJobRow): JobView {
    const progress = this.live.get(row.id);
    let status = row.status as JobStatus;
    const stale = Date.now() - Date.parse(row.updatedAt) > STALE_AFTER_MS;
    if ((status === "running" || status === "queued") && !progress && (this.database.dialect === "sqlite" || stale)) status = "interrupted";
    const summary = fromJson<ImportSummary | null>(row.summary, null);
    // "Finished" only when every file was imported: a run that refused them all did not finish anything.
    if (status === "finished" && summary && summary.totals.imported < summary.totals.files) status = summary.totals.imported === 0 ? "nothing-imported" : "partly-imported";
    const total = progress?.bytesTotal || row.totalBytes;
    const done = progress?.bytesDone ?? row.doneBytes;
    return {
      id: row.id,
      status,
      source: row.source,
      fileNames: fromJson<string[]>(row.fileNames, []),
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
      percent: row.status === "finished" ? 100 : total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0,
      rowsRead: progress?.rowsRead ?? row.rowsRead,
      currentFile: progress?.file || row.currentFile,
      summary,
      error: row.error,
    };
  }

  async job(id: number): Promise<JobView | null> {
    const row = await this.repository.find(id);
    return row ? this.view(row) : null;
  }

  async jobs(limit = 20): Promise<JobView[]> {
    return (await this.repository.recent(limit)).map((row) => this.view(row));
  }

  heldMonths() {
    return this.repository.heldMonths();
  }

  /**
   * For the demo loader, after it imports its generated files: marks the force's rows as
   * synthetic, so that only operations marked as demo count them (0017_demo).
   */
  async markSynthetic(fallsWithin: string): Promise<number> {
    const rows = await this.repository.markSynthetic(fallsWithin);
    await markDashboardStale(this.database.db, null);
    return rows;
  }
}
