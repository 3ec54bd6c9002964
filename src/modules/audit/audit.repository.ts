import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { AuditEventsTable, Schema } from "../../db/schema.ts";
import type { Dialect } from "../../db/database.ts";

export type AuditEventRow = Selectable<AuditEventsTable>;

export class AuditRepository {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Runs `work` with the chain's head locked, so two instances appending at once cannot both
   * extend the same head (a fork would break verification).
   */
  async withHeadLocked<T>(work: (trx: Transaction<Schema>, head: AuditEventRow | undefined) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(7172001)`.execute(trx);
      const head = await trx.selectFrom("auditEvents").selectAll().orderBy("id", "desc").limit(1).executeTakeFirst();
      return work(trx, head);
    });
  }

  async insert(trx: Transaction<Schema>, event: Omit<AuditEventRow, "id">): Promise<number> {
    const row = await trx.insertInto("auditEvents").values(event).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  async *inOrder(batchSize = 1000): AsyncGenerator<AuditEventRow> {
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom("auditEvents").selectAll().where("id", ">", after).orderBy("id").limit(batchSize).execute();
      if (rows.length === 0) return;
      yield* rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  search(filter: { recordType?: string; operation?: string; limit: number }): Promise<AuditEventRow[]> {
    let query = this.db.selectFrom("auditEvents").selectAll();
    if (filter.recordType) query = query.where("recordType", "=", filter.recordType);
    if (filter.operation) query = query.where("operation", "=", filter.operation);
    return query.orderBy("id", "desc").limit(filter.limit).execute();
  }
}
