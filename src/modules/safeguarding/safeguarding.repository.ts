import type { Kysely, Selectable } from "kysely";
import type { ReferralsTable, SafeguardingCasesTable, Schema } from "../../db/schema.ts";

export type CaseRow = Selectable<SafeguardingCasesTable>;
type CaseValues = Omit<CaseRow, "id">;

export class SafeguardingRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async insertCase(values: CaseValues): Promise<number> {
    const row = await this.db.insertInto("safeguardingCases").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  findCase(id: number): Promise<CaseRow | undefined> {
    return this.db.selectFrom("safeguardingCases").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The urgent duties of every case in a state, and nothing else of them. */
  dutiesOfCases(status: string): Promise<Array<{ urgentDuties: string }>> {
    return this.db.selectFrom("safeguardingCases").select("urgentDuties").where("status", "=", status).execute();
  }

  listCases(status: string) {
    return this.db
      .selectFrom("safeguardingCases")
      .select(["id", "alias", "ageBand", "consentStatus", "urgentDuties", "status", "createdAt", "updatedAt", "closedAt"])
      .where("status", "=", status)
      .orderBy("updatedAt", "desc")
      .orderBy("id", "desc")
      .limit(500)
      .execute();
  }

  /** Changes a case only if nobody changed it since it was read (its updatedAt still matches). */
  async updateCase(id: number, readAt: string, values: Partial<CaseValues> & { updatedAt: string }): Promise<boolean> {
    const result = await this.db.updateTable("safeguardingCases").set(values).where("id", "=", id).where("updatedAt", "=", readAt).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  notesOf(caseId: number) {
    return this.db
      .selectFrom("caseNotes")
      .innerJoin("users", "users.id", "caseNotes.authorId")
      .select(["caseNotes.id", "caseNotes.bodyEncrypted", "caseNotes.createdAt", "users.name as authorName"])
      .where("caseNotes.caseId", "=", caseId)
      .orderBy("caseNotes.createdAt", "desc")
      .orderBy("caseNotes.id", "desc")
      .execute();
  }

  async insertNote(values: { caseId: number; authorId: number; bodyEncrypted: string; createdAt: string }): Promise<number> {
    const row = await this.db.insertInto("caseNotes").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  engagementsOf(caseId: number) {
    return this.db
      .selectFrom("caseEngagements")
      .innerJoin("engagements", "engagements.id", "caseEngagements.engagementId")
      .innerJoin("operations", "operations.id", "engagements.operationId")
      .select([
        "engagements.id",
        "engagements.occurredAt",
        "engagements.kind",
        "engagements.referralOffered",
        "engagements.referralResponse",
        "engagements.safeguardingConcern",
        "operations.name as operationName",
        "caseEngagements.linkedAt",
      ])
      .where("caseEngagements.caseId", "=", caseId)
      .orderBy("engagements.occurredAt", "desc")
      .execute();
  }

  /** Officers' recent engagements not yet linked to this case, newest first, for the lead to choose from. */
  recentEngagements(caseId: number, since: string, limit = 50) {
    return this.db
      .selectFrom("engagements")
      .innerJoin("operations", "operations.id", "engagements.operationId")
      .select(["engagements.id", "engagements.occurredAt", "engagements.kind", "engagements.safeguardingConcern", "operations.name as operationName"])
      .where("engagements.occurredAt", ">=", since)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("caseEngagements")
              .select("caseEngagements.engagementId")
              .whereRef("caseEngagements.engagementId", "=", "engagements.id")
              .where("caseEngagements.caseId", "=", caseId),
          ),
        ),
      )
      .orderBy("engagements.occurredAt", "desc")
      .limit(limit)
      .execute();
  }

  findEngagement(id: number) {
    return this.db.selectFrom("engagements").select(["id"]).where("id", "=", id).executeTakeFirst();
  }

  /** Links an engagement to a case; false when it was already linked. */
  async linkEngagement(values: { caseId: number; engagementId: number; linkedBy: number; linkedAt: string }): Promise<boolean> {
    const existing = await this.db
      .selectFrom("caseEngagements")
      .select("caseId")
      .where("caseId", "=", values.caseId)
      .where("engagementId", "=", values.engagementId)
      .executeTakeFirst();
    if (existing) return false;
    await this.db.insertInto("caseEngagements").values(values).execute();
    return true;
  }

  referralsOfCase(caseId: number) {
    return this.db
      .selectFrom("referrals")
      .innerJoin("partnerAgencies", "partnerAgencies.id", "referrals.partnerAgencyId")
      .select([
        "referrals.id",
        "referrals.partnerAgencyId",
        "referrals.service",
        "referrals.status",
        "referrals.legalBasis",
        "referrals.declineReason",
        "referrals.outcome",
        "referrals.createdAt",
        "referrals.respondedAt",
        "referrals.closedAt",
        "partnerAgencies.name as agencyName",
      ])
      .where("referrals.caseId", "=", caseId)
      .orderBy("referrals.createdAt", "desc")
      .orderBy("referrals.id", "desc")
      .execute();
  }

  async insertReferral(values: Omit<Selectable<ReferralsTable>, "id">): Promise<number> {
    const row = await this.db.insertInto("referrals").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }
}
