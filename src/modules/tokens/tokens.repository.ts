import type { Kysely, Selectable } from "kysely";
import type { ApiClientsTable, Schema, StaffTokensTable, UsersTable } from "../../db/schema.ts";

export type ApiClientRow = Selectable<ApiClientsTable>;
export type StaffTokenRow = Selectable<StaffTokensTable>;

export class TokensRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async addClient(values: Omit<ApiClientRow, "id">): Promise<number> {
    const { id } = await this.db.insertInto("apiClients").values(values).returning("id").executeTakeFirstOrThrow();
    return id;
  }

  listClients(): Promise<ApiClientRow[]> {
    return this.db.selectFrom("apiClients").selectAll().orderBy("revokedAt", "desc").orderBy("name").orderBy("id").execute();
  }

  findClient(id: number): Promise<ApiClientRow | undefined> {
    return this.db.selectFrom("apiClients").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findClientByKeyHash(keyHash: string): Promise<ApiClientRow | undefined> {
    return this.db.selectFrom("apiClients").selectAll().where("keyHash", "=", keyHash).executeTakeFirst();
  }

  async revokeClient(id: number, now: string): Promise<boolean> {
    const result = await this.db.updateTable("apiClients").set({ revokedAt: now }).where("id", "=", id).where("revokedAt", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async touchClient(id: number, now: string): Promise<void> {
    await this.db.updateTable("apiClients").set({ lastUsedAt: now }).where("id", "=", id).execute();
  }

  async addStaffToken(values: Omit<StaffTokenRow, "id">): Promise<number> {
    const { id } = await this.db.insertInto("staffTokens").values(values).returning("id").executeTakeFirstOrThrow();
    return id;
  }

  staffTokensOf(userId: number): Promise<StaffTokenRow[]> {
    return this.db.selectFrom("staffTokens").selectAll().where("userId", "=", userId).orderBy("createdAt", "desc").orderBy("id", "desc").execute();
  }

  async findStaffTokenWithUser(tokenHash: string): Promise<{ token: StaffTokenRow; user: Selectable<UsersTable> } | undefined> {
    const token = await this.db.selectFrom("staffTokens").selectAll().where("tokenHash", "=", tokenHash).executeTakeFirst();
    if (!token) return undefined;
    const user = await this.db.selectFrom("users").selectAll().where("id", "=", token.userId).executeTakeFirst();
    return user ? { token, user } : undefined;
  }

  async revokeStaffToken(id: number, userId: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("staffTokens")
      .set({ revokedAt: now })
      .where("id", "=", id)
      .where("userId", "=", userId)
      .where("revokedAt", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async revokeStaffTokensOf(userId: number, now: string): Promise<number> {
    const result = await this.db.updateTable("staffTokens").set({ revokedAt: now }).where("userId", "=", userId).where("revokedAt", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async touchStaffToken(id: number, now: string): Promise<void> {
    await this.db.updateTable("staffTokens").set({ lastUsedAt: now }).where("id", "=", id).execute();
  }
}
