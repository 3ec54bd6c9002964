// The access log that DPA 2018 s.62 asks for: every collection, alteration, consultation,
// disclosure, combination and erasure of personal data, chained with a keyed hash so that
// rewriting history without the key (held outside the database) is detected.
import crypto from "node:crypto";
import { daysBefore, type RetentionPolicy } from "../../domain/retention.ts";
import { AppError } from "../../http/errors.ts";
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

/** How long audit events stay unsealed, and how long sealed ones are kept (src/domain/retention.ts). */
export type AuditRetention = Pick<RetentionPolicy, "auditSealAfter" | "auditExpireAfter">;

/** Clocks of the machines that expire and that verify may differ; an expiry this far ahead is not "to come". */
const CLOCK_TOLERANCE_MS = 86_400_000;

/** What walking a run of events found: how many, the last hash, their digest, or the first broken one. */
interface Walked {
  count: number;
  head: string;
  digest: string;
  broken?: { eventId: number; problem: string };
}

/**
 * A segment's seal holds SHA-256 over its events' "id:hash" lines, so the hashes kept when the
 * events expire are bound to the seal too.
 */
const digestLine = (id: number, hash: string) => `${id}:${hash}\n`;

function segmentName(segment: AuditSegmentRow): string {
  return `segment ${segment.id} (events ${segment.firstEventId}–${segment.lastEventId})`;
}

const day = (iso: string | Date) => new Date(iso).toISOString().slice(0, 10);

export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly key: Buffer,
    private readonly retention: AuditRetention,
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

  /** The seal covers every column but the id, the expiry included: only the key can expire a segment. */
  private segmentMac(segment: Omit<AuditSegmentRow, "id" | "mac">): string {
    return crypto
      .createHmac("sha256", this.key)
      .update(
        JSON.stringify([
          "segment/2",
          segment.firstEventId,
          segment.lastEventId,
          segment.eventCount,
          segment.previousHash,
          segment.headHash,
          segment.eventsDigest,
          segment.sealedAt,
          segment.lastEventAt,
          segment.expiredAt,
        ]),
      )
      .digest("hex");
  }

  /** The day a segment may expire: its last event is as old as the retention rules keep audit events. */
  private expiryDue(segment: AuditSegmentRow): Date {
    return new Date(Date.parse(segment.lastEventAt) + this.retention.auditExpireAfter * 86_400_000);
  }

  /** Checks each event's link to the one before and its keyed hash, from the hash `from`. */
  private async walk(events: AsyncIterable<AuditEventRow> | Iterable<AuditEventRow>, from: string, visit?: (event: AuditEventRow) => void): Promise<Walked> {
    const digest = crypto.createHash("sha256");
    let previous = from;
    let count = 0;
    const walked = (broken?: Walked["broken"]): Walked => ({ count, head: previous, digest: digest.digest("hex"), broken });
    for await (const event of events) {
      count++;
      if (event.previousHash !== previous) {
        return walked({ eventId: event.id, problem: "its link to the previous event does not match (an event before it was removed or changed)" });
      }
      const { id: _id, hash, ...rest } = event;
      if (chainHash(this.key, rest) !== hash) return walked({ eventId: event.id, problem: "its content does not match its hash" });
      digest.update(digestLine(event.id, hash));
      visit?.(event);
      previous = hash;
    }
    return walked();
  }

  /** What is wrong with a segment row itself, given the head of the segments before it. */
  private segmentProblem(segment: AuditSegmentRow, previousHead: string, now: Date): string | null {
    const { id: _id, mac, ...sealed } = segment;
    if (this.segmentMac(sealed) !== mac) {
      return `sealed ${segmentName(segment)} has been altered: its seal does not match its range, count, hashes, dates or expiry`;
    }
    if (segment.previousHash !== previousHead) {
      return `sealed ${segmentName(segment)} does not follow on from the segment before it: a segment was removed, added or reordered`;
    }
    if (segment.expiredAt) {
      const due = this.expiryDue(segment);
      if (Date.parse(segment.expiredAt) < due.getTime()) {
        return `sealed ${segmentName(segment)} was expired on ${day(segment.expiredAt)}, before it was due on ${day(due)} (audit events are kept ${this.retention.auditExpireAfter} days)`;
      }
      if (Date.parse(segment.expiredAt) > now.getTime() + CLOCK_TOLERANCE_MS) {
        return `sealed ${segmentName(segment)} records its expiry on ${day(segment.expiredAt)}, which is still to come: the clock was ahead when retention ran`;
      }
    }
    return null;
  }

  /** Whether the events walked are exactly those the segment sealed. */
  private heldProblem(segment: AuditSegmentRow, walked: Walked): string | null {
    if (walked.count !== segment.eventCount) return `sealed ${segmentName(segment)} holds ${walked.count} of the ${segment.eventCount} events it sealed: events were deleted or added`;
    if (walked.head !== segment.headHash || walked.digest !== segment.eventsDigest) return `sealed ${segmentName(segment)} no longer holds the events it sealed`;
    return null;
  }

  /** Seals every unsealed event old enough under the retention rules into one segment (retention expires whole segments). */
  async seal(now: Date = new Date()): Promise<AuditSegmentRow | null> {
    const last = (await this.repository.segments()).at(-1);
    const before = daysBefore(now, this.retention.auditSealAfter);
    const events = await this.repository.unsealedUntil(last?.lastEventId ?? 0, before);
    if (events.length === 0) return null;
    const previousHash = last?.headHash ?? GENESIS_HASH;
    const walked = await this.walk(events, previousHash);
    if (walked.broken) throw refusal(`Refusing to seal the audit log: event ${walked.broken.eventId}: ${walked.broken.problem}`);
    const segment = {
      firstEventId: events[0]!.id,
      lastEventId: events.at(-1)!.id,
      eventCount: walked.count,
      previousHash,
      headHash: walked.head,
      eventsDigest: walked.digest,
      sealedAt: now.toISOString(),
      lastEventAt: events.at(-1)!.occurredAt,
      expiredAt: null,
    };
    const full = { ...segment, mac: this.segmentMac(segment) };
    const id = await this.repository.addSegment(full);
    return { id, ...full };
  }

  /**
   * Deletes the events of the sealed segments due to expire under the retention rules, oldest
   * first, keeping their hashes. Refuses a segment that does not verify: deleting it would
   * destroy the evidence.
   */
  async expire(now: Date = new Date()): Promise<{ segments: number; events: number }> {
    let segments = 0;
    let events = 0;
    let previousHead = GENESIS_HASH;
    for (const segment of await this.repository.segments()) {
      const problem = this.segmentProblem(segment, previousHead, now);
      if (problem) throw refusal(`Refusing to expire the audit log: ${problem}`);
      previousHead = segment.headHash;
      if (segment.expiredAt) continue;
      if (now < this.expiryDue(segment)) break;
      const walked = await this.walk(this.repository.inOrder({ after: segment.firstEventId - 1, upTo: segment.lastEventId }), segment.previousHash);
      const broken = walked.broken ? `event ${walked.broken.eventId}: ${walked.broken.problem}` : this.heldProblem(segment, walked);
      if (broken) throw refusal(`Refusing to expire sealed ${segmentName(segment)}: ${broken}`);
      const expiredAt = now.toISOString();
      const { id: _id, mac: _mac, ...sealed } = segment;
      events += await this.repository.expireSegment(segment, expiredAt, this.segmentMac({ ...sealed, expiredAt }));
      segments++;
    }
    return { segments, events };
  }

  /**
   * Checks each sealed segment (its seal, its place in the chain, that an expiry was due, and
   * the events or kept hashes it sealed), each event's link and hash, and any anchors kept
   * outside the system, including anchors inside expired segments. Names the first problem.
   */
  async verify(anchors: Anchor[] = [], now: Date = new Date()): Promise<VerifyResult> {
    const anchored = new Set(anchors.map((a) => a.eventId));
    const seen = new Map<number, string>();
    const note = (event: { id: number; hash: string }) => {
      if (anchored.has(event.id)) seen.set(event.id, event.hash);
    };
    let previous = GENESIS_HASH;
    let afterId = 0;
    let count = 0;
    for (const segment of await this.repository.segments()) {
      const problem = this.segmentProblem(segment, previous, now);
      if (problem) return { ok: false, events: count, brokenAt: segment.lastEventId, problem };
      if (segment.expiredAt) {
        const stray = await this.repository.firstEventIdBetween(afterId + 1, segment.lastEventId);
        if (stray !== undefined) {
          return { ok: false, events: count, brokenAt: stray, problem: `event ${stray} lies inside expired ${segmentName(segment)}, whose events were deleted: it was added afterwards` };
        }
        const kept = await this.repository.expiredHashes(segment);
        const digest = crypto.createHash("sha256");
        for (const { eventId, hash } of kept) {
          digest.update(digestLine(eventId, hash));
          note({ id: eventId, hash });
        }
        if (kept.length !== segment.eventCount || digest.digest("hex") !== segment.eventsDigest) {
          return { ok: false, events: count, brokenAt: segment.lastEventId, problem: `the hashes kept for expired ${segmentName(segment)} do not match its seal: they were changed or removed` };
        }
      } else {
        const walked = await this.walk(this.repository.inOrder({ after: afterId, upTo: segment.lastEventId }), previous, note);
        count += walked.count;
        if (walked.broken) return { ok: false, events: count, brokenAt: walked.broken.eventId, problem: walked.broken.problem };
        const held = this.heldProblem(segment, walked);
        if (held) return { ok: false, events: count, brokenAt: segment.lastEventId, problem: held };
      }
      previous = segment.headHash;
      afterId = segment.lastEventId;
    }
    const walked = await this.walk(this.repository.inOrder({ after: afterId }), previous, note);
    count += walked.count;
    if (walked.broken) return { ok: false, events: count, brokenAt: walked.broken.eventId, problem: walked.broken.problem };
    for (const anchor of anchors) {
      const hash = seen.get(anchor.eventId);
      if (hash === undefined) return { ok: false, events: count, brokenAt: anchor.eventId, problem: "an anchored event is missing: the log was cut short or rewritten" };
      if (hash !== anchor.hash) return { ok: false, events: count, brokenAt: anchor.eventId, problem: "an anchored event's hash differs: the log was rewritten" };
    }
    return { ok: true, events: count, head: walked.head };
  }
}

/** The audit log does not verify, so sealing or expiring it would hide what went wrong. */
function refusal(message: string): AppError {
  return new AppError("audit_log_broken", 409, `${message}. Run \`openbeat audit verify\` and report it to the data protection officer.`);
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
