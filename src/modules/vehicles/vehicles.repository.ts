import type { Insertable, Kysely, Selectable } from "kysely";
import type { Schema, VehicleKeepersTable, WarningLettersTable } from "../../db/schema.ts";

export type KeeperRow = Selectable<VehicleKeepersTable>;
export type LetterRow = Selectable<WarningLettersTable>;

/** A sighting as the register sees it: a resident's takes its operation and area from the report. */
export interface SightingRow {
  id: number;
  registration: string | null;
  registrationFormat: string | null;
  make: string | null;
  colour: string | null;
  seenAt: string;
  source: string;
  corroborated: boolean;
  latitude: number | null;
  longitude: number | null;
  operationId: number | null;
  areaRole: string | null;
  /** The officer's own description of the place; never a resident's words. */
  locationText: string | null;
  patrolId: number | null;
  reportReference: string | null;
  recordedByName: string | null;
}

export interface NewSighting {
  registration: string;
  registrationFormat: string;
  make: string | null;
  colour: string | null;
  seenAt: string;
  source: string;
  latitude: number | null;
  longitude: number | null;
  operationId: number | null;
  areaRole: string | null;
  locationText: string | null;
  patrolId: number | null;
  recordedBy: number;
  createdAt: string;
}

export class VehiclesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  private sightings() {
    return this.db
      .selectFrom("vehicleSightings as s")
      .leftJoin("reports as r", "r.id", "s.reportId")
      .leftJoin("users as u", "u.id", "s.recordedBy")
      .select((eb) => [
        "s.id",
        "s.registration",
        "s.registrationFormat",
        "s.make",
        "s.colour",
        "s.seenAt",
        "s.source",
        "s.corroborated",
        "s.latitude",
        "s.longitude",
        eb.fn.coalesce("s.operationId", "r.operationId").as("operationId"),
        eb.fn.coalesce("s.areaRole", "r.areaRole").as("areaRole"),
        "s.locationText",
        "s.patrolId",
        "r.reference as reportReference",
        "u.name as recordedByName",
      ]);
  }

  private static present(row: Omit<SightingRow, "corroborated"> & { corroborated: unknown }): SightingRow {
    return { ...row, corroborated: Boolean(row.corroborated) };
  }

  /** Every sighting with a registration: the register is bounded by the 90-day erasure. */
  async allWithRegistration(): Promise<SightingRow[]> {
    const rows = await this.sightings().where("s.registration", "is not", null).orderBy("s.seenAt").orderBy("s.id").execute();
    return rows.map(VehiclesRepository.present);
  }

  async sightingsOf(registration: string): Promise<SightingRow[]> {
    const rows = await this.sightings().where("s.registration", "=", registration).orderBy("s.seenAt").orderBy("s.id").execute();
    return rows.map(VehiclesRepository.present);
  }

  async addSighting(sighting: NewSighting): Promise<number> {
    const { id } = await this.db
      .insertInto("vehicleSightings")
      .values({ ...sighting, reportId: null, corroborated: true })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }

  keeperOf(registration: string): Promise<(KeeperRow & { enteredByName: string | null }) | undefined> {
    return this.db
      .selectFrom("vehicleKeepers as k")
      .leftJoin("users as u", "u.id", "k.enteredBy")
      .selectAll("k")
      .select("u.name as enteredByName")
      .where("k.registration", "=", registration)
      .executeTakeFirst();
  }

  /** Writes the keeper's details, replacing earlier ones; says whether they were new. */
  async saveKeeper(keeper: Omit<KeeperRow, "id">): Promise<{ id: number; replaced: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom("vehicleKeepers").select("id").where("registration", "=", keeper.registration).executeTakeFirst();
      if (existing) {
        await trx.updateTable("vehicleKeepers").set(keeper).where("id", "=", existing.id).execute();
        return { id: existing.id, replaced: true };
      }
      const { id } = await trx.insertInto("vehicleKeepers").values(keeper).returning("id").executeTakeFirstOrThrow();
      return { id, replaced: false };
    });
  }

  lettersOf(registration: string): Promise<Array<LetterRow & { approvedByName: string | null }>> {
    return this.db
      .selectFrom("warningLetters as l")
      .leftJoin("users as u", "u.id", "l.approvedBy")
      .selectAll("l")
      .select("u.name as approvedByName")
      .where("l.registration", "=", registration)
      .orderBy("l.createdAt", "desc")
      .orderBy("l.id", "desc")
      .execute();
  }

  allLetters(): Promise<LetterRow[]> {
    return this.db.selectFrom("warningLetters").selectAll().orderBy("createdAt", "desc").orderBy("id", "desc").execute();
  }

  /** Creates the letter unless the vehicle already has one in hand; null when it does. */
  async createLetter(letter: Insertable<WarningLettersTable>): Promise<number | null> {
    return this.db.transaction().execute(async (trx) => {
      const open = await trx.selectFrom("warningLetters").select("id").where("registration", "=", letter.registration).executeTakeFirst();
      if (open) return null;
      const { id } = await trx.insertInto("warningLetters").values(letter).returning("id").executeTakeFirstOrThrow();
      return id;
    });
  }

  /** Marks an approved letter sent; false when someone else already did. */
  async markSent(letterId: number, userId: number, sentAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable("warningLetters")
      .set({ status: "sent", sentBy: userId, sentAt })
      .where("id", "=", letterId)
      .where("status", "=", "approved")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  openPatrolsOf(userId: number): Promise<Array<{ id: number; startedAt: string; areaRole: string }>> {
    return this.db
      .selectFrom("patrols as p")
      .leftJoin("patrolOfficers as o", "o.patrolId", "p.id")
      .select(["p.id", "p.startedAt", "p.areaRole"])
      .where("p.endedAt", "is", null)
      .where((eb) => eb.or([eb("p.startedBy", "=", userId), eb("o.userId", "=", userId)]))
      .groupBy(["p.id", "p.startedAt", "p.areaRole"])
      .orderBy("p.startedAt", "desc")
      .execute();
  }

  /**
   * Deletes sightings seen before the cutoff that no letter lists, and then the keeper details
   * of registrations left with neither sightings nor a letter. Returns the ids it deleted.
   */
  async eraseSightingsBefore(cutoff: string, batchSize: number): Promise<{ sightings: number[][]; keepers: number[] }> {
    return this.db.transaction().execute(async (trx) => {
      const letters = await trx.selectFrom("warningLetters").select(["registration", "sightingIds"]).execute();
      const kept = new Set(letters.flatMap((l) => JSON.parse(l.sightingIds) as number[]));
      const due = await trx.selectFrom("vehicleSightings").select("id").where("seenAt", "<", cutoff).orderBy("id").execute();
      const ids = due.map((d) => d.id).filter((id) => !kept.has(id));
      const batches: number[][] = [];
      for (let i = 0; i < ids.length; i += batchSize) {
        const batch = ids.slice(i, i + batchSize);
        await trx.deleteFrom("vehicleSightings").where("id", "in", batch).execute();
        batches.push(batch);
      }
      const withLetter = new Set(letters.map((l) => l.registration));
      const orphans = await trx
        .selectFrom("vehicleKeepers as k")
        .select(["k.id", "k.registration"])
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom("vehicleSightings as s").select("s.id").whereRef("s.registration", "=", "k.registration"))),
        )
        .execute();
      const keepers = orphans.filter((k) => !withLetter.has(k.registration)).map((k) => k.id);
      if (keepers.length) await trx.deleteFrom("vehicleKeepers").where("id", "in", keepers).execute();
      return { sightings: batches, keepers };
    });
  }
}
