// The access log that DPA 2018 s.62 asks for: every collection, alteration, consultation,
// disclosure, combination and erasure of personal data, chained with a keyed hash so that
// rewriting history without the key (held outside the database) is detected.
import crypto from "node:crypto";
import type { AuditEventRow, AuditRepository } from "./audit.repository.ts";

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
  return JSON.stringify([
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
  ]);
}

export function chainHash(key: Buffer, event: Omit<AuditEventRow, "id" | "hash">): string {
  return crypto.createHmac("sha256", key).update(canonicalEvent(event)).digest("hex");
}

export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly key: Buffer,
  ) {}

  async record(entry: AuditEntry, now: Date = new Date()): Promise<number> {
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
      };
      return this.repository.insert(trx, { ...event, hash: chainHash(this.key, event) });
    });
  }

  /** Walks the chain; names the first event whose link or hash does not hold. */
  async verify(): Promise<{ ok: true; events: number; head: string } | { ok: false; events: number; brokenAt: number; problem: string }> {
    let previous = GENESIS_HASH;
    let count = 0;
    for await (const event of this.repository.inOrder()) {
      count++;
      if (event.previousHash !== previous) {
        return { ok: false, events: count, brokenAt: event.id, problem: "its link to the previous event does not match" };
      }
      const { id: _id, hash, ...rest } = event;
      if (chainHash(this.key, rest) !== hash) {
        return { ok: false, events: count, brokenAt: event.id, problem: "its content does not match its hash" };
      }
      previous = hash;
    }
    return { ok: true, events: count, head: previous };
  }
}
