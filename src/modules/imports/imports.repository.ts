import type { Kysely, Selectable, Updateable } from "kysely";
import type { ImportJobsTable, Schema } from "../../db/schema.ts";

export type ImportJobRow = Selectable<ImportJobsTable>;

export class ImportsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(job: { source: string; fileNames: string; userId: number | null; totalBytes: number; status: string; now: string }): Promise<number> {
    const { id } = await this.db
      .insertInto("importJobs")
      .values({
        kind: "police-uk",
        status: job.status,
        source: job.source,
        fileNames: job.fileNames,
        userId: job.userId,
        totalBytes: job.totalBytes,
        doneBytes: 0,
        rowsRead: 0,
        currentFile: null,
        summary: null,
        error: null,
        createdAt: job.now,
        updatedAt: job.now,
        finishedAt: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }

  async update(id: number, changes: Updateable<ImportJobsTable>): Promise<void> {
    await this.db.updateTable("importJobs").set(changes).where("id", "=", id).execute();
  }

  /** Marks every row of a force as synthetic demo data; how many rows that was. */
  async markSynthetic(fallsWithin: string): Promise<number> {
    const result = await this.db.updateTable("policeCrimes").set({ isDemo: true }).where("fallsWithin", "=", fallsWithin).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  find(id: number): Promise<ImportJobRow | undefined> {
    return this.db.selectFrom("importJobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  recent(limit: number): Promise<ImportJobRow[]> {
    return this.db.selectFrom("importJobs").selectAll().orderBy("id", "desc").limit(limit).execute();
  }

  /** Months held per force and kind: a month not listed is "no data". */
  heldMonths(): Promise<Array<{ fallsWithin: string; month: string; kind: string; rows: number }>> {
    return this.db.selectFrom("policeMonths").selectAll().orderBy("fallsWithin").orderBy("month").orderBy("kind").execute();
  }
}
