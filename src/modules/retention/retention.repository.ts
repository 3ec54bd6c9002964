import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";

export class RetentionRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async deleteExpiredTransient(now: string): Promise<{ drafts: number; sessions: number; rateLimits: number }> {
    const drafts = await this.db.deleteFrom("reportDrafts").where("expiresAt", "<", now).executeTakeFirst();
    const sessions = await this.db.deleteFrom("sessions").where("expiresAt", "<", now).executeTakeFirst();
    const rateLimits = await this.db.deleteFrom("rateLimits").where("expiresAt", "<", now).executeTakeFirst();
    return { drafts: Number(drafts.numDeletedRows), sessions: Number(sessions.numDeletedRows), rateLimits: Number(rateLimits.numDeletedRows) };
  }

  contactsOfReportsClosedBefore(before: string): Promise<number[]> {
    return this.db
      .selectFrom("reportContacts")
      .innerJoin("reports", "reports.id", "reportContacts.reportId")
      .select("reportContacts.reportId")
      .where("reports.status", "=", "closed")
      .where("reports.closedAt", "<", before)
      .execute()
      .then((rows) => rows.map((r) => r.reportId));
  }

  async deleteContacts(reportIds: number[]): Promise<void> {
    if (reportIds.length) await this.db.deleteFrom("reportContacts").where("reportId", "in", reportIds).execute();
  }

  reportsWithDetailClosedBefore(before: string): Promise<number[]> {
    return this.db
      .selectFrom("reports")
      .select("id")
      .where("status", "=", "closed")
      .where("closedAt", "<", before)
      .where((eb) => eb.or([eb("description", "!=", ""), eb("latitude", "is not", null), eb("locationText", "is not", null)]))
      .execute()
      .then((rows) => rows.map((r) => r.id));
  }

  /** Keeps what the public figures need (category, dates, H3 cell, outcome); drops the words and the point. */
  async anonymiseReports(ids: number[], now: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("reports").set({ description: "", locationText: null, latitude: null, longitude: null, accuracyMetres: null, answers: "{}", thrive: null, updatedAt: now }).where("id", "in", ids).execute();
      await trx.updateTable("reportNotes").set({ body: "" }).where("reportId", "in", ids).execute();
    });
  }

  async dropActivityPoints(before: string): Promise<{ engagements: number[]; enforcement: number[] }> {
    const engagements = (await this.db.selectFrom("engagements").select("id").where("occurredAt", "<", before).where("latitude", "is not", null).execute()).map((r) => r.id);
    const enforcement = (await this.db.selectFrom("enforcementActions").select("id").where("occurredAt", "<", before).where("latitude", "is not", null).execute()).map((r) => r.id);
    if (engagements.length) await this.db.updateTable("engagements").set({ latitude: null, longitude: null }).where("id", "in", engagements).execute();
    if (enforcement.length) await this.db.updateTable("enforcementActions").set({ latitude: null, longitude: null, locationText: null }).where("id", "in", enforcement).execute();
    return { engagements, enforcement };
  }
}
