import type { Kysely, Selectable, Transaction } from "kysely";
import type { ReportsTable, Schema, VehicleSightingsTable } from "../../db/schema.ts";

export type ReportRow = Selectable<ReportsTable>;
export type NewReportRow = Omit<ReportRow, "id">;

export interface PublicUpdateSummary {
  id: number;
  title: string;
  body: string;
  publishedAt: string;
}

export class ReportsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Writes a report with its vehicle and contact in one transaction: all of it, or none. */
  async create(
    report: NewReportRow,
    vehicle: Omit<Selectable<VehicleSightingsTable>, "id" | "reportId"> | null,
    emailEncrypted: string | null,
  ): Promise<number> {
    return this.db.transaction().execute((trx) => this.createIn(trx, report, vehicle, emailEncrypted));
  }

  /** The same, inside a transaction the caller holds (a group commit). */
  async createIn(
    trx: Transaction<Schema>,
    report: NewReportRow,
    vehicle: Omit<Selectable<VehicleSightingsTable>, "id" | "reportId"> | null,
    emailEncrypted: string | null,
  ): Promise<number> {
    const { id } = await trx.insertInto("reports").values(report).returning("id").executeTakeFirstOrThrow();
    if (vehicle) await trx.insertInto("vehicleSightings").values({ ...vehicle, reportId: id }).execute();
    if (emailEncrypted) await trx.insertInto("reportContacts").values({ reportId: id, emailEncrypted, createdAt: report.createdAt }).execute();
    await trx.insertInto("reportHistory").values({ reportId: id, fromStatus: null, toStatus: report.status, userId: null, createdAt: report.createdAt }).execute();
    return id;
  }

  findByReceiptHash(receiptHash: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom("reports").selectAll().where("receiptHash", "=", receiptHash).executeTakeFirst();
  }

  findByReference(reference: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom("reports").selectAll().where("reference", "=", reference).executeTakeFirst();
  }

  findByReferences(references: string[]): Promise<ReportRow[]> {
    if (references.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("reports").selectAll().where("reference", "in", references).execute();
  }

  publicUpdatesFor(reportId: number): Promise<PublicUpdateSummary[]> {
    return this.db
      .selectFrom("publicUpdates")
      .innerJoin("publicUpdateReports", "publicUpdateReports.publicUpdateId", "publicUpdates.id")
      .select(["publicUpdates.id", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt"])
      .where("publicUpdateReports.reportId", "=", reportId)
      .where("publicUpdates.withdrawnAt", "is", null)
      .orderBy("publicUpdates.publishedAt", "desc")
      .execute();
  }

  notesFor(reportId: number): Promise<Array<{ id: number; kind: string; body: string; authorId: number | null; createdAt: string }>> {
    return this.db.selectFrom("reportNotes").select(["id", "kind", "body", "authorId", "createdAt"]).where("reportId", "=", reportId).orderBy("createdAt").execute();
  }

  async addNote(
    reportId: number,
    note: { kind: string; body: string; authorId: number | null },
    change: { status: string; reopenedAt?: string; fromStatus: string } | null,
    now: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("reportNotes").values({ reportId, ...note, createdAt: now }).execute();
      if (change) await this.changeStatusIn(trx, reportId, change.fromStatus, change.status, note.authorId, now, { reopenedAt: change.reopenedAt ?? null, closedAt: null, outcome: null });
      else await trx.updateTable("reports").set({ updatedAt: now }).where("id", "=", reportId).execute();
    });
  }

  /** Moves a report between statuses only if nobody else moved it first. */
  async changeStatusIn(
    trx: Transaction<Schema>,
    reportId: number,
    fromStatus: string,
    toStatus: string,
    userId: number | null,
    now: string,
    extra: Partial<ReportRow> = {},
  ): Promise<boolean> {
    const result = await trx
      .updateTable("reports")
      .set({ ...extra, status: toStatus, updatedAt: now })
      .where("id", "=", reportId)
      .where("status", "=", fromStatus)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx.insertInto("reportHistory").values({ reportId, fromStatus, toStatus, userId, createdAt: now }).execute();
    return true;
  }

  transaction<T>(work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }
}
