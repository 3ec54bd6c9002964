import type { Kysely, Selectable } from "kysely";
import type { Schema, SessionsTable, UsersTable } from "../../db/schema.ts";

export type SessionWithUser = Selectable<SessionsTable> & { user: Selectable<UsersTable> };

export class SessionsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(values: Selectable<SessionsTable>): Promise<void> {
    await this.db.insertInto("sessions").values(values).execute();
  }

  async findWithUser(id: string): Promise<SessionWithUser | undefined> {
    const session = await this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
    if (!session) return undefined;
    const user = await this.db.selectFrom("users").selectAll().where("id", "=", session.userId).executeTakeFirst();
    return user ? { ...session, user } : undefined;
  }

  async touch(id: string, lastSeenAt: string): Promise<void> {
    await this.db.updateTable("sessions").set({ lastSeenAt }).where("id", "=", id).execute();
  }

  async markSecondFactorDone(id: string): Promise<void> {
    await this.db.updateTable("sessions").set({ secondFactorDone: true }).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  /** Ends every session of a user, but the one kept (the session that changed its own password). */
  async deleteForUser(userId: number, keep?: string): Promise<number> {
    let query = this.db.deleteFrom("sessions").where("userId", "=", userId);
    if (keep) query = query.where("id", "!=", keep);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("expiresAt", "<", now).execute();
  }
}
