import type { Kysely, Selectable, Transaction } from "kysely";
import type {
  InformationSharingAgreementsTable,
  PartnerAgenciesTable,
  ReferralsTable,
  ReferralUpdatesTable,
  Schema,
} from "../../db/schema.ts";

export type AgencyRow = Selectable<PartnerAgenciesTable>;
export type AgreementRow = Selectable<InformationSharingAgreementsTable>;
export type ReferralRow = Selectable<ReferralsTable>;
export type ReferralUpdateRow = Selectable<ReferralUpdatesTable>;

export class PartnersRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  transaction<T>(work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  listAgencies(): Promise<AgencyRow[]> {
    return this.db.selectFrom("partnerAgencies").selectAll().orderBy("name").execute();
  }

  findAgency(id: number): Promise<AgencyRow | undefined> {
    return this.db.selectFrom("partnerAgencies").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findAgencyByName(name: string): Promise<AgencyRow | undefined> {
    return this.db.selectFrom("partnerAgencies").selectAll().where("name", "=", name).executeTakeFirst();
  }

  async createAgency(values: Omit<AgencyRow, "id">): Promise<number> {
    const row = await this.db.insertInto("partnerAgencies").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  agreementsOf(agencyIds: number[]): Promise<AgreementRow[]> {
    if (agencyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("informationSharingAgreements")
      .selectAll()
      .where("partnerAgencyId", "in", agencyIds)
      .orderBy("signedOn", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  findAgreement(id: number): Promise<AgreementRow | undefined> {
    return this.db.selectFrom("informationSharingAgreements").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findAgreementByReference(reference: string): Promise<AgreementRow | undefined> {
    return this.db.selectFrom("informationSharingAgreements").selectAll().where("reference", "=", reference).executeTakeFirst();
  }

  async createAgreement(values: Omit<AgreementRow, "id">): Promise<number> {
    const row = await this.db.insertInto("informationSharingAgreements").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  workersOf(agencyIds: number[]) {
    if (agencyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("users")
      .select(["id", "name", "email", "role", "partnerAgencyId", "disabledAt"])
      .where("partnerAgencyId", "in", agencyIds)
      .orderBy("name")
      .execute();
  }

  referralsOfAgency(agencyId: number): Promise<ReferralRow[]> {
    return this.db
      .selectFrom("referrals")
      .selectAll()
      .where("partnerAgencyId", "=", agencyId)
      .orderBy("createdAt", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  findReferral(id: number): Promise<ReferralRow | undefined> {
    return this.db.selectFrom("referrals").selectAll().where("id", "=", id).executeTakeFirst();
  }

  updatesOf(referralIds: number[]) {
    if (referralIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("referralUpdates")
      .innerJoin("users", "users.id", "referralUpdates.authorId")
      .select([
        "referralUpdates.id",
        "referralUpdates.referralId",
        "referralUpdates.bodyEncrypted",
        "referralUpdates.outcome",
        "referralUpdates.createdAt",
        "users.name as authorName",
      ])
      .where("referralUpdates.referralId", "in", referralIds)
      .orderBy("referralUpdates.createdAt")
      .orderBy("referralUpdates.id")
      .execute();
  }

  /** Moves a referral on only if it is still in the state it was read in; false when someone else moved it first. */
  async moveReferral(
    id: number,
    from: string,
    values: Partial<Pick<ReferralRow, "status" | "declineReason" | "outcome" | "respondedBy" | "respondedAt" | "closedAt">> & { updatedAt: string },
    trx: Transaction<Schema> | Kysely<Schema> = this.db,
  ): Promise<boolean> {
    const result = await trx.updateTable("referrals").set(values).where("id", "=", id).where("status", "=", from).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertUpdate(values: Omit<ReferralUpdateRow, "id">, trx: Transaction<Schema> | Kysely<Schema> = this.db): Promise<number> {
    const row = await trx.insertInto("referralUpdates").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  userById(id: number) {
    return this.db.selectFrom("users").select(["id", "name", "email"]).where("id", "=", id).executeTakeFirst();
  }

  caseConsentOf(caseId: number) {
    return this.db.selectFrom("safeguardingCases").select(["consentStatus", "consentWithdrawnAt"]).where("id", "=", caseId).executeTakeFirst();
  }
}
