import type { Kysely, Selectable } from "kysely";
import type { AccountApprovalsTable, Schema } from "../../db/schema.ts";

export type ApprovalRow = Selectable<AccountApprovalsTable>;

export class ApprovalsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(values: Omit<ApprovalRow, "id" | "decidedBy" | "decidedAt" | "decision">): Promise<number> {
    const row = await this.db.insertInto("accountApprovals").values({ ...values, decidedBy: null, decidedAt: null, decision: null }).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  find(id: number): Promise<ApprovalRow | undefined> {
    return this.db.selectFrom("accountApprovals").selectAll().where("id", "=", id).executeTakeFirst();
  }

  waiting(): Promise<ApprovalRow[]> {
    return this.db.selectFrom("accountApprovals").selectAll().where("decision", "is", null).orderBy("id").execute();
  }

  /** Records the decision unless one was recorded first: of two administrators deciding at once, one wins. */
  async decide(id: number, decision: "approved" | "declined", decidedBy: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("accountApprovals")
      .set({ decision, decidedBy, decidedAt: now })
      .where("id", "=", id)
      .where("decision", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Puts an approval back to waiting when what it approved could not be done. */
  async reopen(id: number): Promise<void> {
    await this.db.updateTable("accountApprovals").set({ decision: null, decidedBy: null, decidedAt: null }).where("id", "=", id).execute();
  }
}
