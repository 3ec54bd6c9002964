import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import type { ReportRow } from "../reports/reports.repository.ts";

export interface QueueFilter {
  status?: string;
  category?: string;
  grade?: string;
  operationId?: number;
  area?: "target" | "buffer" | "outside";
  limit: number;
  offset: number;
}

export class TriageRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async queue(filter: QueueFilter): Promise<{ rows: ReportRow[]; total: number }> {
    let query = this.db.selectFrom("reports");
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.category) query = query.where("categoryCode", "=", filter.category);
    if (filter.grade) query = query.where("grade", "=", filter.grade);
    if (filter.operationId) query = query.where("operationId", "=", filter.operationId);
    if (filter.area === "outside") query = query.where("areaRole", "is", null);
    else if (filter.area) query = query.where("areaRole", "=", filter.area);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy("createdAt", "desc").orderBy("id", "desc").limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  async contactOf(reportId: number): Promise<string | null> {
    const row = await this.db.selectFrom("reportContacts").select("emailEncrypted").where("reportId", "=", reportId).executeTakeFirst();
    return row?.emailEncrypted ?? null;
  }

  async vehicleOf(reportId: number) {
    return this.db.selectFrom("vehicleSightings").selectAll().where("reportId", "=", reportId).executeTakeFirst();
  }

  history(reportId: number) {
    return this.db
      .selectFrom("reportHistory")
      .leftJoin("users", "users.id", "reportHistory.userId")
      .select(["reportHistory.fromStatus", "reportHistory.toStatus", "reportHistory.createdAt", "users.name as userName"])
      .where("reportHistory.reportId", "=", reportId)
      .orderBy("reportHistory.id")
      .execute();
  }

  async recordTriage(reportId: number, values: { grade: string; thrive: string; forceReference: string | null; triagedBy: number; now: string }): Promise<void> {
    await this.db
      .updateTable("reports")
      .set({ grade: values.grade, thrive: values.thrive, forceReference: values.forceReference, triagedBy: values.triagedBy, triagedAt: values.now, updatedAt: values.now })
      .where("id", "=", reportId)
      .execute();
  }
}
