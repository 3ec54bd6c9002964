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

  /**
   * Spends a sign-in code's time step, in one statement: of two requests with the same code at
   * the same moment only one finds the step unspent. Reading the last step and then writing it
   * let several in.
   */
  async spendTotpStep(id: number, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable("users")
      .set({ totpLastStep: step })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("totpLastStep", "is", null), eb("totpLastStep", "<", step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async update(id: number, values: Partial<Omit<UserRow, "id">>): Promise<void> {
    await this.db.updateTable("users").set(values).where("id", "=", id).execute();
  }
}
