// The mail queue: every message is a row before it is a send, so nothing is lost when the
// server stops. A sender leases a message (an UPDATE that only one instance can win), sends
// it over SMTP, and marks it sent; a failure puts it back with exponential back-off, and a
// sender that dies mid-send lets its lease run out so another picks the message up. After
// sending, failing for good or being cancelled, the recipient's address is erased.
import nodemailer from "nodemailer";
import type { Config } from "../../config.ts";
import { decrypt } from "../../http/encryption.ts";
import type { AlertsRepository } from "./alerts.repository.ts";

const LEASE_MS = 5 * 60_000;
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 3600_000;
/** About two days of retries before a message is given up. */
export const MAX_ATTEMPTS = 12;
const KEEP_FINISHED_DAYS = 30;

/** How long to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

export interface SendSummary {
  sent: number;
  retrying: number;
  failed: number;
}

/** What an SMTP failure is recorded as: its code only, since a server's words may quote the address. */
function describeFailure(error: unknown): string {
  const failure = error as { code?: string; responseCode?: number };
  return [failure.code, failure.responseCode].filter(Boolean).join(" ") || "send failed";
}

export class MailService {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly config: Pick<Config, "smtpUrl" | "mailFrom">,
    private readonly recipientKey: Buffer,
  ) {}

  /** Whether mail can go out at all: without an SMTP server it waits in the queue. */
  get sending(): boolean {
    return Boolean(this.config.smtpUrl);
  }

  waiting(): Promise<number> {
    return this.repository.queued();
  }

  /** Sends what is due, each message by exactly one sender. */
  async sendDue(now: Date = new Date(), limit = 25): Promise<SendSummary> {
    const summary: SendSummary = { sent: 0, retrying: 0, failed: 0 };
    if (!this.config.smtpUrl) return summary;
    const due = await this.repository.dueMail(now.toISOString(), limit);
    if (due.length === 0) return summary;
    const transport = nodemailer.createTransport({
      url: this.config.smtpUrl,
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
    });
    try {
      for (const id of due) {
        const message = await this.repository.lease(id, now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString());
        if (!message) continue;
        if (!message.recipientEncrypted) {
          await this.repository.markCancelled(id);
          continue;
        }
        try {
          await transport.sendMail({
            from: this.config.mailFrom,
            to: decrypt(this.recipientKey, message.recipientEncrypted),
            subject: message.subject,
            text: message.body,
            // RFC 8058: mail programs offer a one-click unsubscribe that POSTs to this address.
            headers: message.unsubscribeUrl ? { "List-Unsubscribe": `<${message.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {},
          });
          await this.repository.markSent(id, new Date().toISOString());
          summary.sent++;
        } catch (error) {
          const giveUp = message.attempts >= MAX_ATTEMPTS;
          await this.repository.markFailed(id, {
            retryAt: giveUp ? null : new Date(now.getTime() + retryDelayMs(message.attempts)).toISOString(),
            error: describeFailure(error),
          });
          if (giveUp) summary.failed++;
          else summary.retrying++;
        }
      }
    } finally {
      transport.close();
    }
    if (Math.random() < 0.05) await this.repository.deleteFinishedBefore(new Date(now.getTime() - KEEP_FINISHED_DAYS * 86_400_000).toISOString());
    return summary;
  }
}
