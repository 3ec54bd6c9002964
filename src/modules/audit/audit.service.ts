// The access log that DPA 2018 s.62 asks for: every collection, alteration, consultation,
// disclosure, combination and erasure of personal data, chained with a keyed hash so that
// rewriting history without the key (held outside the database) is detected.
import crypto from "node:crypto";
import type { AuditEventRow, AuditFilter, AuditRepository, AuditSegmentRow } from "./audit.repository.ts";

export const AUDIT_OPERATIONS = ["collection", "alteration", "consultation", "disclosure", "combination", "erasure"] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

/** Justifications are a code plus a reference (an incident number, a case id), never free text. */
export const REASON_CODES = {
  "triage": "Triage or investigation of the report",
  "contact-resident": "Contacting the resident about their report",
  "safeguarding": "Safeguarding a person at risk",
  "warning-letter": "Preparing or sending a warning letter",
  "partner-referral": "Referral to a partner agency",
  "audit": "Audit or oversight",
  "subject-access": "A subject access or erasure request",
  "retention": "Scheduled retention",
} as const;
export type ReasonCode = keyof typeof REASON_CODES;

export interface AuditEntry {
  actor: { id: number; role: string } | null;
  operation: AuditOperation;
  recordType: string;
  recordIds: Array<number | string>;
  reason?: { code: ReasonCode; reference: string };
  recipients?: string[];
}

export const GENESIS_HASH = "0".repeat(64);

/** The fields that are hashed, in a fixed order, so the same event always hashes the same. */
export function canonicalEvent(event: Omit<AuditEventRow, "id" | "hash">): string {
  const fields: unknown[] = [
    event.occurredAt,
    event.actorId,
    event.actorRole,
    event.operation,
    event.recordType,
    event.recordIds,
    event.reasonCode,
    event.reasonReference,
    event.recipients,
    event.previousHash,
  ];
  // Added with migration 0014, and only when set: the events written before it hash as they did.
  if (event.actorCredentialsEventId != null) fields.push(["credentials", event.actorCredentialsEventId]);
  return JSON.stringify(fields);
}

export function chainHash(key: Buffer, event: Omit<AuditEventRow, "id" | "hash">): string {
  return crypto.createHmac("sha256", key).update(canonicalEvent(event)).digest("hex");
}

export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly key: Buffer,
  ) {}

  /**
   * Appends an event. A member of staff's event also names the event that issued the
   * credentials they signed in with (see users.credentials_event_id): after an administrator
   * resets an account, everything done on it shows who could have been doing it.
   */
  async record(entry: AuditEntry, now: Date = new Date()): Promise<number> {
    const credentials = entry.actor ? await this.repository.credentialsEventOf(entry.actor.id) : null;
    return this.repository.withHeadLocked(async (trx, head) => {
      const event = {
        occurredAt: now.toISOString(),
        actorId: entry.actor?.id ?? null,
        actorRole: entry.actor?.role ?? null,
        operation: entry.operation,
        recordType: entry.recordType,
        recordIds: JSON.stringify(entry.recordIds.map(String)),
        reasonCode: entry.reason?.code ?? null,
        reasonReference: entry.reason?.reference ?? null,
        recipients: entry.recipients ? JSON.stringify(entry.recipients) : null,
        previousHash: head?.hash ?? GENESIS_HASH,
        actorCredentialsEventId: credentials,
      };
      return this.repository.insert(trx, { ...event, hash: chainHash(this.key, event) });
    });
  }

  search(filter: AuditFilter) {
    return this.repository.search(filter);
  }

  /** The events that issued credentials (their ids from actorCredentialsEventId), by id. */
  async issuances(ids: Array<number | null>): Promise<Map<number, AuditEventRow>> {
    const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
    return new Map((await this.repository.findEvents(wanted)).map((e) => [e.id, e]));
  }

  /** The current head, to keep outside the system: a later verify against it detects truncation or rewriting. */
  async anchor(): Promise<Anchor | null> {
    const head = (await this.repository.search({ limit: 1 }))[0];
    return head ? { eventId: head.id, hash: head.hash, at: head.occurredAt } : null;
  }

  private segmentMac(segment: Omit<AuditSegmentRow, "id" | "mac" | "expiredAt">): string {
    return crypto
      .createHmac("sha256", this.key)
      .update(JSON.stringify(["segment", segment.firstEventId, segment.lastEventId, segment.eventCount, segment.headHash, segment.sealedAt, segment.lastEventAt]))
      .digest("hex");
  }

  /** Seals every unsealed event older than `before` into one segment (retention expires whole segments). */
  async seal(before: Date, now: Date = new Date()): Promise<AuditSegmentRow | null> {
    const segments = await this.repository.segments();
    const lastSealed = segments.at(-1)?.lastEventId ?? 0;
    const events = await this.repository.unsealedUntil(lastSealed, before.toISOString());
    if (events.length === 0) return null;
    const segment = {
      firstEventId: events[0]!.id,
      lastEventId: events.at(-1)!.id,
      eventCount: events.length,
      headHash: events.at(-1)!.hash,
      sealedAt: now.toISOString(),
      lastEventAt: events.at(-1)!.occurredAt,
    };
    const full = { ...segment, mac: this.segmentMac(segment), expiredAt: null };
    const id = await this.repository.addSegment(full);
    return { id, ...full };
  }

  /** Deletes the events of sealed segments whose last event is older than `before`. */
  async expire(before: Date, now: Date = new Date()): Promise<{ segments: number; events: number }> {
    let segments = 0;
    let events = 0;
    for (const segment of await this.repository.segments()) {
      if (segment.expiredAt || segment.lastEventAt >= before.toISOString()) continue;
      events += await this.repository.expireSegment(segment, now.toISOString());
      segments++;
    }
    return { segments, events };
  }

  /**
   * Walks the chain from the last expired segment's head; checks each segment's own MAC, each
   * event's link and hash, and any anchors kept outside the system. Names the first problem.
   */
  async verify(anchors: Anchor[] = []): Promise<VerifyResult> {
    const segments = await this.repository.segments();
    for (const segment of segments) {
      const { id: _id, mac, expiredAt: _expired, ...rest } = segment;
      if (this.segmentMac(rest) !== mac) return { ok: false, events: 0, brokenAt: segment.lastEventId, problem: `sealed segment ${segment.id} has been altered` };
    }
    const expired = segments.filter((s) => s.expiredAt);
    const lastExpired = expired.at(-1);
    let previous = lastExpired?.headHash ?? GENESIS_HASH;
    let count = 0;
    const seen = new Map<number, string>();
    for await (const event of this.repository.inOrder(1000, lastExpired?.lastEventId ?? 0)) {
      count++;
      if (event.previousHash !== previous) {
        return { ok: false, events: count, brokenAt: event.id, problem: "its link to the previous event does not match (an event before it was removed or changed)" };
      }
      const { id: _id, hash, ...rest } = event;
      if (chainHash(this.key, rest) !== hash) {
        return { ok: false, events: count, brokenAt: event.id, problem: "its content does not match its hash" };
      }
      if (anchors.some((a) => a.eventId === event.id)) seen.set(event.id, hash);
      previous = hash;
    }
    for (const anchor of anchors) {
      const inExpired = expired.find((s) => anchor.eventId >= s.firstEventId && anchor.eventId <= s.lastEventId);
      if (inExpired) {
        if (anchor.eventId === inExpired.lastEventId && anchor.hash !== inExpired.headHash) {
          return { ok: false, events: count, brokenAt: anchor.eventId, problem: "an anchor does not match the expired segment's head" };
        }
        continue;
      }
      const hash = seen.get(anchor.eventId);
      if (hash === undefined) return { ok: false, events: count, brokenAt: anchor.eventId, problem: "an anchored event is missing: the log was cut short or rewritten" };
      if (hash !== anchor.hash) return { ok: false, events: count, brokenAt: anchor.eventId, problem: "an anchored event's hash differs: the log was rewritten" };
    }
    return { ok: true, events: count, head: previous };
  }
}

export interface Anchor {
  eventId: number;
  hash: string;
  at?: string;
}

export type VerifyResult = { ok: true; events: number; head: string } | { ok: false; events: number; brokenAt: number; problem: string };

/** "openbeat-audit-anchor:ID:HASH", the line `openbeat audit anchor` prints. */
export function formatAnchor(anchor: Anchor): string {
  return `openbeat-audit-anchor:${anchor.eventId}:${anchor.hash}`;
}

export function parseAnchor(text: string): Anchor | null {
  const match = /^(?:openbeat-audit-anchor:)?(\d+):([0-9a-f]{64})$/.exec(text.trim());
  return match ? { eventId: Number(match[1]), hash: match[2]! } : null;
}
