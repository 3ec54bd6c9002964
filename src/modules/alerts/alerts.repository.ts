import type { Kysely, Selectable, Transaction } from "kysely";
import type { AlertSubscriptionsTable, MailQueueTable, Schema } from "../../db/schema.ts";

export type SubscriptionRow = Selectable<AlertSubscriptionsTable>;
export type MailRow = Selectable<MailQueueTable>;
export type NewMail = Omit<MailRow, "id" | "status" | "attempts" | "leaseUntil" | "lastError" | "sentAt">;

export interface UpdateToSend {
  id: number;
  operationId: number | null;
  operationName: string | null;
  title: string;
  body: string;
  publishedAt: string;
}

export class AlertsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  transaction<T>(work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async createSubscription(values: Omit<SubscriptionRow, "id">, mail: (id: number) => NewMail): Promise<number> {
    return this.transaction(async (trx) => {
      const { id } = await trx.insertInto("alertSubscriptions").values(values).returning("id").executeTakeFirstOrThrow();
      await this.enqueueIn(trx, mail(id));
      return id;
    });
  }

  findSubscription(id: number): Promise<SubscriptionRow | undefined> {
    return this.db.selectFrom("alertSubscriptions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async confirm(id: number, lastUpdateId: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("alertSubscriptions")
      .set({ status: "confirmed", confirmedAt: now, lastUpdateId })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends a subscription and erases its address, and every copy of it still waiting in the queue. */
  async end(id: number, now: string): Promise<boolean> {
    return this.transaction(async (trx) => {
      const result = await trx
        .updateTable("alertSubscriptions")
        .set({ status: "unsubscribed", emailEncrypted: null, endedAt: now })
        .where("id", "=", id)
        .where("status", "!=", "unsubscribed")
        .executeTakeFirst();
      await trx
        .updateTable("mailQueue")
        .set({ status: "cancelled", recipientEncrypted: null, leaseUntil: null })
        .where("subscriptionId", "=", id)
        .where("status", "in", ["queued", "sending"])
        .execute();
      await trx.updateTable("mailQueue").set({ recipientEncrypted: null }).where("subscriptionId", "=", id).execute();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /** Subscriptions never confirmed before `before`: their ids, to erase. */
  async stalePending(before: string): Promise<number[]> {
    const rows = await this.db.selectFrom("alertSubscriptions").select("id").where("status", "=", "pending").where("createdAt", "<", before).execute();
    return rows.map((row) => row.id);
  }

  confirmedBehind(lastUpdateId: number): Promise<SubscriptionRow[]> {
    return this.db.selectFrom("alertSubscriptions").selectAll().where("status", "=", "confirmed").where("lastUpdateId", "<", lastUpdateId).orderBy("id").execute();
  }

  async latestUpdateId(): Promise<number> {
    const row = await this.db.selectFrom("publicUpdates").select((eb) => eb.fn.max("id").as("id")).executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  updatesAfter(id: number, limit = 200): Promise<UpdateToSend[]> {
    return this.db
      .selectFrom("publicUpdates")
      .leftJoin("operations", "operations.id", "publicUpdates.operationId")
      .select(["publicUpdates.id", "publicUpdates.operationId", "operations.name as operationName", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt"])
      .where("publicUpdates.id", ">", id)
      .where("publicUpdates.withdrawnAt", "is", null)
      .orderBy("publicUpdates.id")
      .limit(limit)
      .execute();
  }

  /** Moves a subscription's cursor and queues its mail in one go, unless another sender moved it first. */
  async advance(subscriptionId: number, from: number, to: number, mails: NewMail[]): Promise<boolean> {
    return this.transaction(async (trx) => {
      const moved = await trx
        .updateTable("alertSubscriptions")
        .set({ lastUpdateId: to })
        .where("id", "=", subscriptionId)
        .where("lastUpdateId", "=", from)
        .where("status", "=", "confirmed")
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      for (const mail of mails) await this.enqueueIn(trx, mail);
      return true;
    });
  }

  async enqueueIn(trx: Transaction<Schema>, mail: NewMail): Promise<void> {
    await trx
      .insertInto("mailQueue")
      .values({ ...mail, status: "queued", attempts: 0, leaseUntil: null, lastError: null, sentAt: null })
      .execute();
  }

  async enqueue(mail: NewMail): Promise<void> {
    await this.transaction((trx) => this.enqueueIn(trx, mail));
  }

  publishedOperations() {
    return this.db.selectFrom("operations").select(["id", "slug", "name", "status", "startsOn", "endsOn"]).where("published", "=", true).orderBy("name").execute();
  }

  operationAreas(operationIds: number[]) {
    if (operationIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("areas").select(["operationId", "role", "geometry"]).where("operationId", "in", operationIds).where("role", "in", ["target", "buffer"]).execute();
  }

  publicUpdates(filter: { operationId?: number; limit: number }): Promise<UpdateToSend[]> {
    let query = this.db
      .selectFrom("publicUpdates")
      .leftJoin("operations", "operations.id", "publicUpdates.operationId")
      .select(["publicUpdates.id", "publicUpdates.operationId", "operations.name as operationName", "publicUpdates.title", "publicUpdates.body", "publicUpdates.publishedAt"])
      .where("publicUpdates.withdrawnAt", "is", null);
    if (filter.operationId !== undefined) query = query.where("publicUpdates.operationId", "=", filter.operationId);
    return query.orderBy("publicUpdates.publishedAt", "desc").orderBy("publicUpdates.id", "desc").limit(filter.limit).execute();
  }

  // The mail queue.

  /** Messages due now, and messages whose sender died holding the lease. */
  async dueMail(now: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom("mailQueue")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "queued"), eb("nextAttemptAt", "<=", now)]),
          eb.and([eb("status", "=", "sending"), eb("leaseUntil", "<", now)]),
        ]),
      )
      .orderBy("nextAttemptAt")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Takes a message for sending: true for exactly one sender, however many race for it. */
  async lease(id: number, now: string, leaseUntil: string): Promise<MailRow | undefined> {
    const result = await this.db
      .updateTable("mailQueue")
      .set((eb) => ({ status: "sending", leaseUntil, attempts: eb("attempts", "+", 1) }))
      .where("id", "=", id)
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "queued"), eb("nextAttemptAt", "<=", now)]),
          eb.and([eb("status", "=", "sending"), eb("leaseUntil", "<", now)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.db.selectFrom("mailQueue").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async markSent(id: number, now: string): Promise<void> {
    await this.db
      .updateTable("mailQueue")
      .set({ status: "sent", sentAt: now, recipientEncrypted: null, leaseUntil: null, lastError: null })
      .where("id", "=", id)
      .where("status", "=", "sending")
      .execute();
  }

  async markFailed(id: number, values: { retryAt: string | null; error: string }): Promise<void> {
    await this.db
      .updateTable("mailQueue")
      .set(
        values.retryAt
          ? { status: "queued", nextAttemptAt: values.retryAt, leaseUntil: null, lastError: values.error }
          : { status: "failed", recipientEncrypted: null, leaseUntil: null, lastError: values.error },
      )
      .where("id", "=", id)
      .where("status", "=", "sending")
      .execute();
  }

  async markCancelled(id: number): Promise<void> {
    await this.db.updateTable("mailQueue").set({ status: "cancelled", recipientEncrypted: null, leaseUntil: null }).where("id", "=", id).execute();
  }

  /** Finished messages are kept a while to answer "was it sent?", then deleted. */
  async deleteFinishedBefore(before: string): Promise<void> {
    await this.db.deleteFrom("mailQueue").where("status", "in", ["sent", "failed", "cancelled"]).where("createdAt", "<", before).execute();
  }

  async queued(): Promise<number> {
    const row = await this.db
      .selectFrom("mailQueue")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "in", ["queued", "sending"])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes subscriptions outright (unconfirmed ones past their time): the address goes with them. */
  async deleteSubscriptions(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transaction(async (trx) => {
      await trx.updateTable("mailQueue").set({ status: "cancelled" }).where("subscriptionId", "in", ids).where("status", "in", ["queued", "sending"]).execute();
      await trx.updateTable("mailQueue").set({ recipientEncrypted: null, subscriptionId: null, leaseUntil: null }).where("subscriptionId", "in", ids).execute();
      await trx.deleteFrom("alertSubscriptions").where("id", "in", ids).where("status", "=", "pending").execute();
    });
  }
}

