// Every query whose rows become public figures or places. Which reports may be counted is said
// here once: categories that are not sensitive, by the instant each was received (the month
// rule is rules.ts reportMonth). Sensitive categories are read only by `sensitiveReportsOf`, for
// their quarterly totals.
import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface SnapPointInCell {
  id: number;
  h3Cell: string;
  location: string;
}

/** What may ever be read of a report for a public list: no words, place in words, point, vehicle or contact. */
export interface ListedReportRow {
  id: number;
  reference: string;
  categoryCode: string;
  status: string;
  h3Cell: string | null;
  createdAt: string;
  updatedAt: string;
  sensitive: boolean;
}

export interface UpdateForReport {
  updateId: number;
  title: string;
  body: string;
  publishedAt: string;
  reportId: number;
}

const LISTED = ["reports.id", "reports.reference", "reports.categoryCode", "reports.status", "reports.h3Cell", "reports.createdAt", "reports.updatedAt", "categories.sensitive"] as const;

export class DisclosureRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * The newest report id, and whether any report after `afterId` was received before `before`.
   * Reports are never deleted and each is received once, so this is all that can change the
   * figures of the months before `before` (through the primary key: only new rows are read).
   */
  async newReports(afterId: number, before: string): Promise<{ lastId: number; backdated: boolean }> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb.selectFrom("reports").select((e) => e.fn.max("reports.id").as("n")).as("last"),
        eb.selectFrom("reports").select("reports.id").where("reports.id", ">", afterId).where("reports.createdAt", "<", before).limit(1).as("backdated"),
      ])
      .executeTakeFirstOrThrow();
    return { lastId: Number(row.last ?? 0), backdated: row.backdated !== null && row.backdated !== undefined };
  }

  /**
   * Everything an operation's public figures depend on that can change without a stale mark (see
   * dashboard.repository.ts markDashboardStale), in one round trip:
   * the change versions, and the operation's activity and budget (small, indexed by operation).
   */
  async inputs(operationId: number): Promise<string> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb.selectFrom("dashboardChanges").select("version").where("scope", "=", "all").as("all"),
        eb.selectFrom("dashboardChanges").select("version").where("scope", "=", `operation:${operationId}`).as("operation"),
        // A new report shows as a new highest id (the primary key's index answers it at once):
        // submissions need not bump a shared version row, which on PostgreSQL every concurrent
        // submission would have waited on until the one before it committed.
        eb.selectFrom("reports").select((e) => e.fn.max("id").as("n")).as("reports"),
        eb.selectFrom("patrols").select((e) => e.fn.count<number>("endedAt").as("n")).where("operationId", "=", operationId).as("patrols"),
        eb.selectFrom("engagements").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("engagements"),
        eb.selectFrom("enforcementActions").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("enforcement"),
        eb.selectFrom("budgetAllocations").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("allocations"),
        eb.selectFrom("budgetAllocations").select((e) => e.fn.sum<number>("amountPence").as("n")).where("operationId", "=", operationId).as("allocated"),
        eb.selectFrom("budgetSpend").select((e) => e.fn.countAll<number>().as("n")).where("operationId", "=", operationId).as("spends"),
        eb.selectFrom("budgetSpend").select((e) => e.fn.sum<number>("amountPence").as("n")).where("operationId", "=", operationId).as("spent"),
        eb.selectFrom("planningSettings").select("updatedAt").where("operationId", "=", operationId).as("planning"),
        eb.selectFrom("dashboardSettings").select("updatedAt").where("operationId", "=", operationId).as("settings"),
      ])
      .executeTakeFirstOrThrow();
    return Object.values(row)
      .map((value) => (value === null || value === undefined ? "-" : String(value)))
      .join(",");
  }

  /** Every countable report received before `before`: its stored cell, category, operation and instant. */
  reportsReceivedBefore(before: string): Promise<Array<{ h3Cell: string | null; categoryCode: string; operationId: number | null; createdAt: string }>> {
    return this.db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.h3Cell", "reports.categoryCode", "reports.operationId", "reports.createdAt"])
      .where("categories.sensitive", "=", false)
      .where("reports.createdAt", "<", before)
      .execute();
  }

  /** The operation's reports in sensitive categories: only ever counted by quarter for the whole operation. */
  sensitiveReportsOf(operationId: number): Promise<Array<{ categoryCode: string; createdAt: string }>> {
    return this.db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.categoryCode", "reports.createdAt"])
      .where("categories.sensitive", "=", true)
      .where("reports.operationId", "=", operationId)
      .execute();
  }

  /** What happened to the operation's countable reports: no words, no place, no time beyond the instant received and closed. */
  statesOf(operationId: number): Promise<Array<{ status: string; outcome: string | null; createdAt: string; closedAt: string | null }>> {
    return this.db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(["reports.status", "reports.outcome", "reports.createdAt", "reports.closedAt"])
      .where("categories.sensitive", "=", false)
      .where("reports.operationId", "=", operationId)
      .execute();
  }

  /** Located reports of the given categories received in [from, to), in the given states. */
  reportsReceivedBetween(from: string, to: string, categoryCodes: string[], statuses: string[]): Promise<ListedReportRow[]> {
    if (categoryCodes.length === 0 || statuses.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("reports")
      .innerJoin("categories", "categories.code", "reports.categoryCode")
      .select(LISTED)
      .where("reports.createdAt", ">=", from)
      .where("reports.createdAt", "<", to)
      .where("reports.h3Cell", "is not", null)
      .where("reports.categoryCode", "in", categoryCodes)
      .where("reports.status", "in", statuses)
      .execute()
      .then((rows) => rows.map((row) => ({ ...row, sensitive: Boolean(row.sensitive) })));
  }

  reportsByReferences(references: string[]): Promise<ListedReportRow[]> {
    return this.listedWhere("reports.reference", references);
  }

  reportsByIds(ids: number[]): Promise<ListedReportRow[]> {
    return this.listedWhere("reports.id", ids);
  }

  private async listedWhere(column: "reports.reference" | "reports.id", values: Array<string | number>): Promise<ListedReportRow[]> {
    const found: ListedReportRow[] = [];
    for (const part of chunks(values)) {
      const rows = await this.db.selectFrom("reports").innerJoin("categories", "categories.code", "reports.categoryCode").select(LISTED).where(column, "in", part as never[]).execute();
      found.push(...rows.map((row) => ({ ...row, sensitive: Boolean(row.sensitive) })));
    }
    return found;
  }

  /**
   * Changes whenever anything a list of reports received in [from, to) shows may have changed: a
   * report added or changed (every change sets updated_at), or a public update attached,
   * changed or withdrawn.
   */
  async listFingerprint(from: string, to: string): Promise<string> {
    const [reports, updates, edits] = await Promise.all([
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
      this.db.selectFrom("publicUpdates").select((eb) => eb.fn.max("publicUpdates.changedAt").as("changed")).executeTakeFirst(),
    ]);
    return [reports?.count, reports?.changed, updates?.count, updates?.latest, edits?.changed].map((value) => String(value ?? "")).join("|");
  }

  /** Public updates attached to each of the reports, oldest first. */
  async updatesOfReports(reportIds: number[]): Promise<UpdateForReport[]> {
    const found: UpdateForReport[] = [];
    for (const part of chunks(reportIds)) {
      const rows = await this.db
        .selectFrom("publicUpdateReports")
        .innerJoin("publicUpdates", "publicUpdates.id", "publicUpdateReports.publicUpdateId")
        .select(["publicUpdateReports.reportId", "publicUpdates.id as updateId", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt"])
        .where("publicUpdateReports.reportId", "in", part)
        .where("publicUpdates.withdrawnAt", "is", null)
        .orderBy("publicUpdates.publishedAt")
        .orderBy("publicUpdates.id")
        .execute();
      found.push(...rows);
    }
    return found;
  }

  /** Public updates published in [from, to) and each report they answer (at most `limit` pairs). */
  updatesPublishedBetween(from: string, to: string, limit: number): Promise<UpdateForReport[]> {
    return this.db
      .selectFrom("publicUpdates")
      .innerJoin("publicUpdateReports", "publicUpdateReports.publicUpdateId", "publicUpdates.id")
      .select(["publicUpdates.id as updateId", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt", "publicUpdateReports.reportId"])
      .where("publicUpdates.publishedAt", ">=", from)
      .where("publicUpdates.publishedAt", "<", to)
      .where("publicUpdates.withdrawnAt", "is", null)
      .orderBy("publicUpdates.publishedAt")
      .orderBy("publicUpdates.id")
      .orderBy("publicUpdateReports.reportId")
      .limit(limit)
      .execute();
  }

  /** The reports each public update answers. */
  async reportsAnswered(updateIds: number[]): Promise<Array<{ updateId: number; reportId: number }>> {
    const found: Array<{ updateId: number; reportId: number }> = [];
    for (const part of chunks(updateIds)) {
      found.push(
        ...(await this.db
          .selectFrom("publicUpdateReports")
          .select(["publicUpdateReports.publicUpdateId as updateId", "publicUpdateReports.reportId"])
          .where("publicUpdateReports.publicUpdateId", "in", part)
          .execute()),
      );
    }
    return found;
  }

  /** The stored (resolution 9) cells of the snap points in the operation's target and buffer. */
  async memberCells(operationId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("areaSnapPoints as m")
      .innerJoin("areas as a", "a.id", "m.areaId")
      .innerJoin("snapPoints as p", "p.id", "m.snapPointId")
      .where("a.operationId", "=", operationId)
      .where("a.role", "in", ["target", "buffer"])
      .select("p.h3Cell")
      .distinct()
      .execute();
    return rows.map((r) => r.h3Cell);
  }

  /** Snap points inside a box [west, south, east, north], through the position index. */
  pointsInBox([west, south, east, north]: [number, number, number, number]): Promise<SnapPointInCell[]> {
    return this.db
      .selectFrom("snapPoints")
      .select(["id", "h3Cell", "location"])
      .where("longitude", ">=", west)
      .where("longitude", "<=", east)
      .where("latitude", ">=", south)
      .where("latitude", "<=", north)
      .execute();
  }

  /** police.uk rows of these forces per snap point, month and category, for the given points and months (through the point index). */
  async crimeCounts(pointIds: readonly number[], months: readonly string[], forces: readonly string[]): Promise<Array<{ snapPointId: number; month: string; crimeType: string; count: number }>> {
    if (pointIds.length === 0 || months.length === 0 || forces.length === 0) return [];
    const found: Array<{ snapPointId: number; month: string; crimeType: string; count: number }> = [];
    for (const part of chunks(pointIds)) {
      const rows = await this.db
        .selectFrom("policeCrimes")
        .select(["snapPointId", "month", "crimeType", (eb) => eb.fn.countAll<number>().as("count")])
        .where("snapPointId", "in", part)
        .where("month", "in", [...months])
        .where("fallsWithin", "in", [...forces])
        .groupBy(["snapPointId", "month", "crimeType"])
        .execute();
      for (const row of rows) found.push({ snapPointId: row.snapPointId!, month: row.month, crimeType: row.crimeType, count: Number(row.count) });
    }
    return found;
  }

  enforcementOf(operationId: number): Promise<Array<{ occurredAt: string; targetGroup: string }>> {
    return this.db.selectFrom("enforcementActions").select(["occurredAt", "targetGroup"]).where("operationId", "=", operationId).execute();
  }

  engagementsOf(operationId: number): Promise<Array<{ occurredAt: string; referralOffered: boolean | number; referralResponse: string | null }>> {
    return this.db.selectFrom("engagements").select(["occurredAt", "referralOffered", "referralResponse"]).where("operationId", "=", operationId).execute();
  }
}
