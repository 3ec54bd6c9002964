import type { Insertable, Kysely, Selectable } from "kysely";
import type { DispersalAuthorisationsTable, EngagementsTable, EnforcementActionsTable, PatrolsTable, Schema } from "../../db/schema.ts";

export type PatrolRow = Selectable<PatrolsTable>;
export type EngagementRow = Selectable<EngagementsTable>;
export type EnforcementRow = Selectable<EnforcementActionsTable>;
export type AuthorisationRow = Selectable<DispersalAuthorisationsTable>;

export interface Period {
  operationId: number;
  from: string;
  to: string;
}

export class ActivityRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async startPatrol(patrol: Insertable<PatrolsTable>, officerIds: number[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto("patrols").values(patrol).returning("id").executeTakeFirstOrThrow();
      for (const userId of new Set(officerIds)) await trx.insertInto("patrolOfficers").values({ patrolId: id, userId }).execute();
      return id;
    });
  }

  findPatrol(id: number): Promise<PatrolRow | undefined> {
    return this.db.selectFrom("patrols").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The patrol an officer is on now, if any: one they started or were named on, not yet ended. */
  currentPatrolOf(userId: number): Promise<PatrolRow | undefined> {
    return this.db
      .selectFrom("patrols")
      .selectAll("patrols")
      .where("endedAt", "is", null)
      .where((eb) => eb.or([eb("startedBy", "=", userId), eb("id", "in", eb.selectFrom("patrolOfficers").select("patrolId").where("userId", "=", userId))]))
      .orderBy("startedAt", "desc")
      .executeTakeFirst();
  }

  async endPatrol(id: number, endedAt: string): Promise<boolean> {
    const result = await this.db.updateTable("patrols").set({ endedAt }).where("id", "=", id).where("endedAt", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** What was logged on a patrol, oldest first: what kind of thing, when, never about whom. */
  async loggedOn(patrolId: number): Promise<Array<{ kind: "engagement" | "enforcement" | "sighting"; what: string; group: string | null; at: string }>> {
    const [engagements, enforcement, sightings] = await Promise.all([
      this.db.selectFrom("engagements").select(["kind", "occurredAt"]).where("patrolId", "=", patrolId).execute(),
      this.db.selectFrom("enforcementActions").select(["action", "targetGroup", "occurredAt"]).where("patrolId", "=", patrolId).execute(),
      this.db.selectFrom("vehicleSightings").select(["seenAt"]).where("patrolId", "=", patrolId).execute(),
    ]);
    return [
      ...engagements.map((e) => ({ kind: "engagement" as const, what: e.kind, group: null, at: e.occurredAt })),
      ...enforcement.map((e) => ({ kind: "enforcement" as const, what: e.action, group: e.targetGroup, at: e.occurredAt })),
      ...sightings.map((s) => ({ kind: "sighting" as const, what: "vehicle", group: null, at: s.seenAt })),
    ].sort((a, b) => a.at.localeCompare(b.at));
  }

  officersOn(patrolId: number) {
    return this.db
      .selectFrom("patrolOfficers")
      .innerJoin("users", "users.id", "patrolOfficers.userId")
      .select(["users.id", "users.name"])
      .where("patrolOfficers.patrolId", "=", patrolId)
      .execute();
  }

  async addEngagement(engagement: Insertable<EngagementsTable>): Promise<number> {
    return (await this.db.insertInto("engagements").values(engagement).returning("id").executeTakeFirstOrThrow()).id;
  }

  async addEnforcement(action: Insertable<EnforcementActionsTable>): Promise<number> {
    return (await this.db.insertInto("enforcementActions").values(action).returning("id").executeTakeFirstOrThrow()).id;
  }

  actionsForSubject(operationId: number, subjectReference: string) {
    return this.db
      .selectFrom("enforcementActions")
      .select(["id", "action", "occurredAt"])
      .where("operationId", "=", operationId)
      .where("subjectReference", "=", subjectReference)
      .execute();
  }

  async addAuthorisation(authorisation: Insertable<DispersalAuthorisationsTable>): Promise<number> {
    return (await this.db.insertInto("dispersalAuthorisations").values(authorisation).returning("id").executeTakeFirstOrThrow()).id;
  }

  authorisations(operationId: number): Promise<AuthorisationRow[]> {
    return this.db.selectFrom("dispersalAuthorisations").selectAll().where("operationId", "=", operationId).orderBy("startsAt", "desc").execute();
  }

  patrolsIn({ operationId, from, to }: Period): Promise<PatrolRow[]> {
    return this.db.selectFrom("patrols").selectAll().where("operationId", "=", operationId).where("startedAt", ">=", from).where("startedAt", "<", to).execute();
  }

  engagementsIn({ operationId, from, to }: Period): Promise<EngagementRow[]> {
    return this.db.selectFrom("engagements").selectAll().where("operationId", "=", operationId).where("occurredAt", ">=", from).where("occurredAt", "<", to).execute();
  }

  enforcementIn({ operationId, from, to }: Period): Promise<EnforcementRow[]> {
    return this.db.selectFrom("enforcementActions").selectAll().where("operationId", "=", operationId).where("occurredAt", ">=", from).where("occurredAt", "<", to).execute();
  }

  reportsIn({ operationId, from, to }: Period) {
    return this.db.selectFrom("reports").select(["status", "createdAt", "closedAt"]).where("operationId", "=", operationId).where("createdAt", ">=", from).where("createdAt", "<", to).execute();
  }

  officers() {
    return this.db.selectFrom("users").select(["id", "name"]).where("role", "in", ["officer", "operation-lead"]).where("disabledAt", "is", null).orderBy("name").execute();
  }
}
