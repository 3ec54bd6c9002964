import type { Kysely, Selectable } from "kysely";
import type { Schema, UsersTable } from "../../db/schema.ts";

export type UserRow = Selectable<UsersTable>;

export class UsersRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom("users").selectAll().orderBy("name").execute();
  }

  async create(values: Omit<UserRow, "id">): Promise<number> {
    const row = await this.db.insertInto("users").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, values: Partial<Omit<UserRow, "id">>): Promise<void> {
    await this.db.updateTable("users").set(values).where("id", "=", id).execute();
  }
}
