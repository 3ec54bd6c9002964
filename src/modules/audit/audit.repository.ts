import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { AuditEventsTable, AuditSegmentsTable, Schema } from "../../db/schema.ts";
import type { Dialect } from "../../db/database.ts";

export type AuditEventRow = Selectable<AuditEventsTable>;
export type AuditSegmentRow = Selectable<AuditSegmentsTable>;

export interface AuditFilter {
  recordType?: string;
  operation?: string;
  actorId?: number;
  from?: string;
  to?: string;
  limit: number;
  offset?: number;
}

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

  /** Events in id order after `after`, up to and including `upTo` when given. */
  async *inOrder(range: { after?: number; upTo?: number } = {}, batchSize = 1000): AsyncGenerator<AuditEventRow> {
    let after = range.after ?? 0;
    for (;;) {
      let query = this.db.selectFrom("auditEvents").selectAll().where("id", ">", after);
      if (range.upTo !== undefined) query = query.where("id", "<=", range.upTo);
      const rows = await query.orderBy("id").limit(batchSize).execute();
      if (rows.length === 0) return;
      yield* rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The first event still stored with an id in [from, to], if any. */
  async firstEventIdBetween(from: number, to: number): Promise<number | undefined> {
    const row = await this.db.selectFrom("auditEvents").select("id").where((eb) => eb.between("id", from, to)).orderBy("id").limit(1).executeTakeFirst();
    return row?.id;
  }

  /** The hashes kept for the events of an expired segment, in id order. */
  expiredHashes(segment: Pick<AuditSegmentRow, "firstEventId" | "lastEventId">): Promise<Array<{ eventId: number; hash: string }>> {
    return this.db.selectFrom("auditExpiredHashes").selectAll().where((eb) => eb.between("eventId", segment.firstEventId, segment.lastEventId)).orderBy("eventId").execute();
  }

  search(filter: AuditFilter): Promise<AuditEventRow[]> {
    let query = this.db.selectFrom("auditEvents").selectAll();
    if (filter.recordType) query = query.where("recordType", "=", filter.recordType);
    if (filter.operation) query = query.where("operation", "=", filter.operation);
    if (filter.actorId) query = query.where("actorId", "=", filter.actorId);
    if (filter.from) query = query.where("occurredAt", ">=", filter.from);
    if (filter.to) query = query.where("occurredAt", "<", filter.to);
    return query.orderBy("id", "desc").limit(filter.limit).offset(filter.offset ?? 0).execute();
  }

  findEvent(id: number): Promise<AuditEventRow | undefined> {
    return this.db.selectFrom("auditEvents").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async findEvents(ids: number[]): Promise<AuditEventRow[]> {
    const rows: AuditEventRow[] = [];
    for (let i = 0; i < ids.length; i += 1000) rows.push(...(await this.db.selectFrom("auditEvents").selectAll().where("id", "in", ids.slice(i, i + 1000)).execute()));
    return rows;
  }

  /** The audit event that issued a member of staff's current credentials, if one did. */
  async credentialsEventOf(userId: number): Promise<number | null> {
    const row = await this.db.selectFrom("users").select("credentialsEventId").where("id", "=", userId).executeTakeFirst();
    return row?.credentialsEventId ?? null;
  }

  segments(): Promise<AuditSegmentRow[]> {
    return this.db.selectFrom("auditSegments").selectAll().orderBy("lastEventId").orderBy("id").execute();
  }

  /** Events after the last sealed segment and no later than `until`. */
  unsealedUntil(afterId: number, until: string): Promise<AuditEventRow[]> {
    return this.db.selectFrom("auditEvents").selectAll().where("id", ">", afterId).where("occurredAt", "<", until).orderBy("id").execute();
  }

  async addSegment(segment: Omit<AuditSegmentRow, "id">): Promise<number> {
    return (await this.db.insertInto("auditSegments").values(segment).returning("id").executeTakeFirstOrThrow()).id;
  }

  /**
   * Deletes a sealed segment's events, keeping their hashes, and records the expiry under its new
   * seal. The permit lets the append-only trigger pass deletions inside this segment's range only.
   */
  async expireSegment(segment: AuditSegmentRow, expiredAt: string, mac: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.insertInto("auditExpiryPermits").values({ segment: segment.id }).execute();
      await trx.insertInto("auditExpiredHashes").columns(["eventId", "hash"]).expression(trx.selectFrom("auditEvents").select(["id", "hash"]).where((eb) => eb.between("id", segment.firstEventId, segment.lastEventId))).execute();
      const result = await trx.deleteFrom("auditEvents").where((eb) => eb.between("id", segment.firstEventId, segment.lastEventId)).executeTakeFirst();
      await trx.deleteFrom("auditExpiryPermits").where("segment", "=", segment.id).execute();
      await trx.updateTable("auditSegments").set({ expiredAt, mac }).where("id", "=", segment.id).execute();
      return Number(result.numDeletedRows);
    });
  }
}
