import type { Kysely, Selectable } from "kysely";
import type { EvaluationDesignsTable, Schema } from "../../db/schema.ts";

export type DesignRow = Selectable<EvaluationDesignsTable>;

export interface MonthlyCount {
  role: string;
  month: string;
  crimeType: string;
  count: number;
}

export interface CrimeOutcome {
  role: string;
  month: string;
  lastOutcomeCategory: string | null;
  latestOutcome: string | null;
}

export class EvaluationRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * police.uk rows per area role, month and category: worked per snap point through area
   * membership. `demo` says which rows: a demo operation counts the synthetic rows only, any
   * other operation the real ones only (the same snap points can hold both).
   */
  async monthlyCounts(operationId: number, demo: boolean): Promise<MonthlyCount[]> {
    const rows = await this.db
      .selectFrom("policeCrimes as c")
      .innerJoin("areaSnapPoints as m", "m.snapPointId", "c.snapPointId")
      .innerJoin("areas as a", "a.id", "m.areaId")
      .where("a.operationId", "=", operationId)
      .where("c.isDemo", "=", demo)
      .select(["a.role as role", "c.month as month", "c.crimeType as crimeType", (eb) => eb.fn.count<number>("c.id").distinct().as("count")])
      .groupBy(["a.role", "c.month", "c.crimeType"])
      .execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** The forces whose rows (synthetic for a demo operation, real otherwise) fall in the operation's areas: their months held decide "no data". */
  async forcesIn(operationId: number, demo: boolean): Promise<string[]> {
    const rows = await this.db
      .selectFrom("policeCrimes as c")
      .innerJoin("areaSnapPoints as m", "m.snapPointId", "c.snapPointId")
      .innerJoin("areas as a", "a.id", "m.areaId")
      .where("a.operationId", "=", operationId)
      .where("c.isDemo", "=", demo)
      .select("c.fallsWithin")
      .distinct()
      .execute();
    return rows.map((r) => r.fallsWithin);
  }

  /** Snap points that are in the comparison area and also in the target or buffer (new data can reveal an overlap). */
  async sharedComparisonPoints(operationId: number): Promise<number> {
    const row = await this.db
      .selectFrom("areaSnapPoints as c")
      .innerJoin("areas as ca", "ca.id", "c.areaId")
      .innerJoin("areaSnapPoints as t", "t.snapPointId", "c.snapPointId")
      .innerJoin("areas as ta", "ta.id", "t.areaId")
      .where("ca.operationId", "=", operationId)
      .where("ca.role", "=", "comparison")
      .where("ta.operationId", "=", operationId)
      .where("ta.role", "in", ["target", "buffer"])
      .select((eb) => eb.fn.count<number>("c.snapPointId").distinct().as("count"))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  heldMonths(kind: "street" | "outcomes"): Promise<Array<{ fallsWithin: string; month: string; rows: number }>> {
    return this.db.selectFrom("policeMonths").select(["fallsWithin", "month", "rows"]).where("kind", "=", kind).execute();
  }

  /** Rows that police.uk could not place ("No Location") among these forces and months. */
  async unplaced(forces: string[], months: string[]): Promise<number> {
    if (forces.length === 0 || months.length === 0) return 0;
    const row = await this.db
      .selectFrom("policeCrimes")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("snapPointId", "is", null)
      .where("fallsWithin", "in", forces)
      .where("month", "in", months)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Each crime (not anti-social behaviour) in the areas, with its latest outcome from the outcomes files if held. */
  async crimeOutcomes(operationId: number, demo: boolean, months: string[]): Promise<CrimeOutcome[]> {
    if (months.length === 0) return [];
    const rows = await this.db
      .selectFrom("policeCrimes as c")
      .innerJoin("areaSnapPoints as m", "m.snapPointId", "c.snapPointId")
      .innerJoin("areas as a", "a.id", "m.areaId")
      .where("a.operationId", "=", operationId)
      .where("c.isDemo", "=", demo)
      .where("c.crimeId", "is not", null)
      .where("c.month", "in", months)
      .select((eb) => [
        "a.role as role",
        "c.month as month",
        "c.lastOutcomeCategory as lastOutcomeCategory",
        eb
          .selectFrom("policeOutcomes as o")
          .select("o.outcomeType")
          .whereRef("o.crimeId", "=", "c.crimeId")
          .orderBy("o.month", "desc")
          .orderBy("o.id", "desc")
          .limit(1)
          .as("latestOutcome"),
      ])
      .execute();
    return rows;
  }

  async reports(operationId: number): Promise<Array<{ categoryCode: string; occurredAt: string }>> {
    return this.db.selectFrom("reports").select(["categoryCode", "occurredAt"]).where("operationId", "=", operationId).execute();
  }

  designs(operationId: number): Promise<DesignRow[]> {
    return this.db.selectFrom("evaluationDesigns").selectAll().where("operationId", "=", operationId).orderBy("version").execute();
  }

  async addDesign(operationId: number, design: string, reason: string, userId: number | null, now: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom("evaluationDesigns")
        .select((eb) => eb.fn.max("version").as("version"))
        .where("operationId", "=", operationId)
        .executeTakeFirst();
      const version = Number(last?.version ?? 0) + 1;
      await trx.insertInto("evaluationDesigns").values({ operationId, version, design, reason, createdBy: userId, createdAt: now }).execute();
      return version;
    });
  }
}
