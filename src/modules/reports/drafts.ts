// The answers of a report in progress, between the pages of the form. Kept server-side,
// encrypted, for two hours at most, found by a random token in a cookie, deleted when the
// report is sent, and never linked to the report it becomes.
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import { decrypt, encrypt } from "../../http/encryption.ts";

export const DRAFT_LIFETIME_MINUTES = 120;

export interface Draft {
  danger?: "no";
  latitude?: string;
  longitude?: string;
  locationText?: string;
  category?: string;
  answers?: Record<string, string | string[]>;
  date?: { day: string; month: string; year: string };
  time?: string;
  untilTime?: string;
  description?: string;
  vehicle?: { registration?: string; make?: string; colour?: string };
  wantsContact?: "yes" | "no";
  email?: string;
}

function idFor(token: string): string {
  return crypto.createHash("sha256").update(token).digest("base64url");
}

export class DraftStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly key: Buffer,
  ) {}

  async create(draft: Draft, now: Date = new Date()): Promise<string> {
    const token = crypto.randomBytes(24).toString("base64url");
    await this.db.deleteFrom("reportDrafts").where("expiresAt", "<", now.toISOString()).execute();
    await this.db
      .insertInto("reportDrafts")
      .values({ id: idFor(token), data: encrypt(this.key, JSON.stringify(draft)), expiresAt: this.expiry(now) })
      .execute();
    return token;
  }

  async read(token: string | undefined, now: Date = new Date()): Promise<Draft | null> {
    if (!token) return null;
    const row = await this.db.selectFrom("reportDrafts").selectAll().where("id", "=", idFor(token)).executeTakeFirst();
    if (!row || row.expiresAt < now.toISOString()) return null;
    try {
      return JSON.parse(decrypt(this.key, row.data)) as Draft;
    } catch {
      return null;
    }
  }

  async save(token: string, draft: Draft, now: Date = new Date()): Promise<void> {
    await this.db
      .updateTable("reportDrafts")
      .set({ data: encrypt(this.key, JSON.stringify(draft)), expiresAt: this.expiry(now) })
      .where("id", "=", idFor(token))
      .execute();
  }

  async delete(token: string): Promise<void> {
    await this.db.deleteFrom("reportDrafts").where("id", "=", idFor(token)).execute();
  }

  private expiry(now: Date): string {
    return new Date(now.getTime() + DRAFT_LIFETIME_MINUTES * 60_000).toISOString();
  }
}
