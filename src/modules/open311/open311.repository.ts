import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";

/** What Open311 may ever read of a report: no description, place in words, point, vehicle or contact. */
export interface Open311ReportRow {
  id: number;
  reference: string;
  categoryCode: string;
  status: string;
  h3Cell: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LatestUpdate {
  reportId: number;
  title: string;
  body: string;
  publishedAt: string;
}

export interface UpdateForReport {
  updateId: number;
  title: string;
  body: string;
  publishedAt: string;
  reference: string;
  status: string;
}

const COLUMNS = ["reports.id", "reports.reference", "reports.categoryCode", "reports.status", "reports.h3Cell", "reports.createdAt", "reports.updatedAt"] as const;

export class Open311Repository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Located reports of the given (non-sensitive) categories received in [from, to), in the given states. */
  reportsReceivedBetween(from: string, to: string, categoryCodes: string[], statuses: string[]): Promise<Open311ReportRow[]> {
    if (categoryCodes.length === 0 || statuses.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("reports")
      .select(COLUMNS)
      .where("reports.createdAt", ">=", from)
      .where("reports.createdAt", "<", to)
      .where("reports.h3Cell", "is not", null)
      .where("reports.categoryCode", "in", categoryCodes)
      .where("reports.status", "in", statuses)
      .execute();
  }

  /**
   * Changes whenever anything GET requests shows for reports received in [from, to) may have
   * changed: a report added or changed (every change sets updated_at; reports are never deleted,
   * retention blanks them and sets updated_at), or a public update published or attached.
   */
  async fingerprint(from: string, to: string): Promise<string> {
    const [reports, updates] = await Promise.all([
      this.db
        .selectFrom("reports")
        .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.max("reports.updatedAt").as("changed")])
        .where("reports.createdAt", ">=", from)
        .where("reports.createdAt", "<", to)
        .executeTakeFirst(),
      this.db
        .selectFrom("publicUpdateReports")
        .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.max("publicUpdateReports.publicUpdateId").as("latest")])
        .executeTakeFirst(),
    ]);
    return [reports?.count, reports?.changed, updates?.count, updates?.latest].map((value) => String(value ?? "")).join("|");
  }

  reportsByReferences(references: string[]): Promise<Open311ReportRow[]> {
    if (references.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("reports").select(COLUMNS).where("reports.reference", "in", references).execute();
  }

  /** The newest public update attached to each report. */
  async latestUpdates(reportIds: number[]): Promise<Map<number, LatestUpdate>> {
    const latest = new Map<number, LatestUpdate>();
    for (let i = 0; i < reportIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("publicUpdateReports")
        .innerJoin("publicUpdates", "publicUpdates.id", "publicUpdateReports.publicUpdateId")
        .select(["publicUpdateReports.reportId", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt", "publicUpdates.id"])
        .where("publicUpdateReports.reportId", "in", reportIds.slice(i, i + 500))
        .orderBy("publicUpdates.publishedAt")
        .orderBy("publicUpdates.id")
        .execute();
      for (const row of rows) latest.set(row.reportId, { reportId: row.reportId, title: row.title, body: row.body, publishedAt: row.publishedAt });
    }
    return latest;
  }

  /** Public updates published in [from, to), once for each report of the given categories they answer. */
  updatesPublishedBetween(from: string, to: string, categoryCodes: string[]): Promise<UpdateForReport[]> {
    if (categoryCodes.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("publicUpdates")
      .innerJoin("publicUpdateReports", "publicUpdateReports.publicUpdateId", "publicUpdates.id")
      .innerJoin("reports", "reports.id", "publicUpdateReports.reportId")
      .select([
        "publicUpdates.id as updateId",
        "publicUpdates.title",
        "publicUpdates.body",
        "publicUpdates.publishedAt",
        "reports.reference",
        "reports.status",
      ])
      .where("publicUpdates.publishedAt", ">=", from)
      .where("publicUpdates.publishedAt", "<", to)
      .where("reports.categoryCode", "in", categoryCodes)
      .orderBy("publicUpdates.publishedAt")
      .orderBy("publicUpdates.id")
      .orderBy("reports.reference")
      .limit(1000)
      .execute();
  }
}
