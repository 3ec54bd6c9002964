import type { Kysely, Selectable } from "kysely";
import type { BudgetAllocationsTable, BudgetSpendTable, PlanningSettingsTable, Schema } from "../../db/schema.ts";
import type { CallGrade, CallRecord, DailyCount } from "../../domain/forecasting.ts";

export type PlanningSettingsRow = Selectable<PlanningSettingsTable>;
export type AllocationRow = Selectable<BudgetAllocationsTable>;
export type SpendRow = Selectable<BudgetSpendTable>;
export type BudgetKind = "allocation" | "spend";

/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters. */
const BATCH = 500;

export interface CallsSummary {
  calls: number;
  demoCalls: number;
  first: string | null;
  last: string | null;
  areas: number;
  lastImportedAt: string | null;
}

export class PlannerRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Replaces every call held for the operation with these, in one transaction: all or nothing. */
  async replaceCalls(operationId: number, calls: readonly CallRecord[], options: { isDemo: boolean; importedAt: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("callsForService").where("operationId", "=", operationId).execute();
      for (let start = 0; start < calls.length; start += BATCH) {
        await trx
          .insertInto("callsForService")
          .values(
            calls.slice(start, start + BATCH).map((call) => ({
              operationId,
              occurredAt: call.occurredAt,
              localDate: call.localDate,
              grade: call.grade,
              area: call.area,
              isDemo: options.isDemo,
              importedAt: options.importedAt,
            })),
          )
          .execute();
      }
    });
  }

  async dailyCounts(operationId: number): Promise<DailyCount[]> {
    const rows = await this.db
      .selectFrom("callsForService")
      .select((eb) => ["localDate", "grade", eb.fn.countAll<number>().as("count")])
      .where("operationId", "=", operationId)
      .groupBy(["localDate", "grade"])
      .orderBy("localDate")
      .execute();
    return rows.map((row) => ({ date: row.localDate, grade: row.grade as CallGrade, count: Number(row.count) }));
  }

  async callsSummary(operationId: number): Promise<CallsSummary> {
    const row = await this.db
      .selectFrom("callsForService")
      .select((eb) => [
        eb.fn.countAll<number>().as("calls"),
        eb.fn.sum<number>(eb.case().when("isDemo", "=", true).then(1).else(0).end()).as("demoCalls"),
        eb.fn.min("localDate").as("first"),
        eb.fn.max("localDate").as("last"),
        eb.fn.count<number>("area").distinct().as("areas"),
        eb.fn.max("importedAt").as("lastImportedAt"),
      ])
      .where("operationId", "=", operationId)
      .executeTakeFirstOrThrow();
    return { calls: Number(row.calls), demoCalls: Number(row.demoCalls ?? 0), first: row.first ?? null, last: row.last ?? null, areas: Number(row.areas), lastImportedAt: row.lastImportedAt ?? null };
  }

  findSettings(operationId: number): Promise<PlanningSettingsRow | undefined> {
    return this.db.selectFrom("planningSettings").selectAll().where("operationId", "=", operationId).executeTakeFirst();
  }

  async saveSettings(settings: PlanningSettingsRow): Promise<void> {
    const { operationId, ...values } = settings;
    await this.db
      .insertInto("planningSettings")
      .values(settings)
      .onConflict((oc) => oc.column("operationId").doUpdateSet(values))
      .execute();
  }

  allocations(operationId: number): Promise<AllocationRow[]> {
    return this.db.selectFrom("budgetAllocations").selectAll().where("operationId", "=", operationId).orderBy("receivedOn").orderBy("id").execute();
  }

  spend(operationId: number): Promise<SpendRow[]> {
    return this.db.selectFrom("budgetSpend").selectAll().where("operationId", "=", operationId).orderBy("spentOn").orderBy("id").execute();
  }

  async addAllocation(row: Omit<AllocationRow, "id">): Promise<number> {
    const { id } = await this.db.insertInto("budgetAllocations").values(row).returning("id").executeTakeFirstOrThrow();
    return id;
  }

  async addSpend(row: Omit<SpendRow, "id">): Promise<number> {
    const { id } = await this.db.insertInto("budgetSpend").values(row).returning("id").executeTakeFirstOrThrow();
    return id;
  }

  /** Removes one budget line of the operation; false when there was none. */
  async removeBudgetLine(operationId: number, kind: BudgetKind, id: number): Promise<boolean> {
    const table = kind === "allocation" ? "budgetAllocations" : "budgetSpend";
    const result = await this.db.deleteFrom(table).where("operationId", "=", operationId).where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
