// Email alerts for public updates, for an operation or for an area drawn on the map. Double
// opt-in (nothing is sent but the confirmation until the link in it is followed), one-click
// unsubscribe in every message, no tracking (plain text, no images, no per-message links but
// the unsubscribe one). The address is encrypted, and erased when the subscription ends or is
// never confirmed. Links carry a keyed hash of the subscription, so nothing secret is stored.
import crypto from "node:crypto";
import { fromJson } from "../../db/database.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { encrypt } from "../../http/encryption.ts";
import { errors, type FieldProblem } from "../../http/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { DisclosureService } from "../disclosure/disclosure.service.ts";
import type { AlertsRepository, NewMail, SubscriptionRow, UpdateToSend } from "./alerts.repository.ts";
import { holds, overlaps, parseDrawnArea, type DrawnArea } from "./area.ts";

/** An unconfirmed subscription, and its address, is deleted after this long. */
export const CONFIRM_DAYS = 7;
const EMAIL = /^[^\s@<>(),;:"]{1,64}@[^\s@<>(),;:"]{1,253}\.[^\s@<>(),;:"]{2,63}$/;

export type LinkKind = "confirm" | "unsubscribe";

export interface SubscribeInput {
  email: string;
  /** "operation-<id>" or "area". */
  choice: string;
  area: string;
}

export interface OperationChoice {
  id: number;
  slug: string;
  name: string;
}

export class AlertsService {
  constructor(
    private readonly disclosure: DisclosureService,
    private readonly repository: AlertsRepository,
    private readonly audit: AuditService,
    private readonly keys: { email: Buffer; links: Buffer },
    private readonly baseUrl: string,
  ) {}

  private mac(kind: LinkKind, id: number): string {
    return crypto.createHmac("sha256", this.keys.links).update(`${kind}:${id}`).digest("base64url");
  }

  /** The path of a subscription's confirm or unsubscribe link. */
  linkPath(kind: LinkKind, id: number): string {
    return `/alerts/${kind}/${id}.${this.mac(kind, id)}`;
  }

  private link(kind: LinkKind, id: number): string {
    return `${this.baseUrl}${this.linkPath(kind, id)}`;
  }

  private async fromToken(kind: LinkKind, token: string): Promise<SubscriptionRow | null> {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const id = Number(match[1]);
    const expected = Buffer.from(this.mac(kind, id));
    const given = Buffer.from(match[2]!);
    if (!crypto.timingSafeEqual(expected, given)) return null;
    return (await this.repository.findSubscription(id)) ?? null;
  }

  /** Published operations running today: what a resident can follow without drawing on the map. */
  async operations(now: Date = new Date()): Promise<OperationChoice[]> {
    const today = now.toISOString().slice(0, 10);
    return (await this.repository.publishedOperations())
      .filter((o) => o.status === "active" && o.startsOn <= today && (!o.endsOn || o.endsOn >= today))
      .map(({ id, slug, name }) => ({ id, slug, name }));
  }

  /** Records a pending subscription and queues the email that confirms it. */
  async subscribe(input: SubscribeInput, now: Date = new Date()): Promise<void> {
    const problems: FieldProblem[] = [];
    const email = input.email.trim().toLowerCase();
    if (!email) problems.push({ field: "email", message: "Enter your email address" });
    else if (email.length > 254 || !EMAIL.test(email)) problems.push({ field: "email", message: "Enter an email address in the correct format, like name@example.com" });
    let operation: OperationChoice | undefined;
    let area: DrawnArea | undefined;
    if (input.choice === "area") {
      const drawn = parseDrawnArea(input.area);
      if (drawn.ok) area = drawn.area;
      else problems.push({ field: "area", message: drawn.problem });
    } else {
      const id = Number(/^operation-(\d+)$/.exec(input.choice)?.[1]);
      operation = (await this.operations(now)).find((o) => o.id === id);
      if (!operation) problems.push({ field: "choice", message: "Choose an operation to follow, or draw an area on the map" });
    }
    if (problems.length) throw errors.invalid(problems);
    const encrypted = encrypt(this.keys.email, email);
    const what = operation ? `updates from ${operation.name}` : "updates for the area you drew on the map";
    const id = await this.repository.createSubscription(
      {
        emailEncrypted: encrypted,
        operationId: operation?.id ?? null,
        area: area ? JSON.stringify(area) : null,
        status: "pending",
        lastUpdateId: 0,
        createdAt: now.toISOString(),
        confirmedAt: null,
        endedAt: null,
      },
      (id) => ({
        subscriptionId: id,
        purpose: "confirmation",
        recipientEncrypted: encrypted,
        subject: "Confirm your openbeat email alerts",
        body: [
          `Someone, we hope you, asked openbeat to email this address with ${what}.`,
          "",
          "To start them, open this link and press the button:",
          this.link("confirm", id),
          "",
          `If it was not you, do nothing: we delete this address in ${CONFIRM_DAYS} days. Or delete it now:`,
          this.link("unsubscribe", id),
          "",
          "openbeat is not an emergency service. If someone is in danger now, call 999.",
        ].join("\n"),
        unsubscribeUrl: this.link("unsubscribe", id),
        nextAttemptAt: now.toISOString(),
        createdAt: now.toISOString(),
      }),
    );
    await this.audit.record({ actor: null, operation: "collection", recordType: "alert-subscriber", recordIds: [id] }, now);
  }

  /** What a confirm or unsubscribe link points at, for the page that asks to press the button. */
  async describe(kind: LinkKind, token: string, now: Date = new Date()): Promise<{ state: "pending" | "confirmed" | "ended" | "expired" } | null> {
    const subscription = await this.fromToken(kind, token);
    if (!subscription) return null;
    if (subscription.status === "unsubscribed") return { state: "ended" };
    if (subscription.status === "pending" && this.expired(subscription, now)) return { state: "expired" };
    return { state: subscription.status as "pending" | "confirmed" };
  }

  private expired(subscription: SubscriptionRow, now: Date): boolean {
    return new Date(subscription.createdAt).getTime() < now.getTime() - CONFIRM_DAYS * 86_400_000;
  }

  /** Starts the alerts: only updates published from now on are sent. */
  async confirm(token: string, now: Date = new Date()): Promise<boolean> {
    const subscription = await this.fromToken("confirm", token);
    if (!subscription || subscription.status === "unsubscribed") return false;
    if (subscription.status === "confirmed") return true;
    if (this.expired(subscription, now)) return false;
    return this.repository.confirm(subscription.id, await this.repository.latestUpdateId(), now.toISOString()).then(() => true);
  }

  /** Ends a subscription and erases the address; true for any genuine link, however often it is used. */
  async unsubscribe(token: string, now: Date = new Date()): Promise<boolean> {
    const subscription = await this.fromToken("unsubscribe", token);
    if (!subscription) return false;
    if (await this.repository.end(subscription.id, now.toISOString())) {
      await this.audit.record({ actor: null, operation: "erasure", recordType: "alert-subscriber", recordIds: [subscription.id] }, now);
    }
    return true;
  }

  /** Erases subscriptions never confirmed in time. */
  async expirePending(now: Date = new Date()): Promise<number> {
    const ids = await this.repository.stalePending(new Date(now.getTime() - CONFIRM_DAYS * 86_400_000).toISOString());
    if (ids.length === 0) return 0;
    await this.repository.deleteSubscriptions(ids);
    await this.audit.record({ actor: null, operation: "erasure", recordType: "alert-subscriber", recordIds: ids }, now);
    return ids.length;
  }

  /**
   * Queues an alert for each public update a confirmed subscription has not yet seen and that
   * concerns it: the operation it follows, or for a drawn area, an update from an operation
   * whose target or buffer overlaps it, or one answering reports placed (as published: the
   * centre of a published cell-month) inside it. Each subscription's cursor moves in the same
   * transaction as its mail is queued, so two senders never queue the same alert twice.
   */
  async dispatch(now: Date = new Date()): Promise<number> {
    const latest = await this.repository.latestUpdateId();
    const subscriptions = await this.repository.confirmedBehind(latest);
    if (subscriptions.length === 0) return 0;
    const updates = await this.repository.updatesAfter(Math.min(...subscriptions.map((s) => s.lastUpdateId)), 500);
    const through = updates.at(-1)?.id ?? latest;

    const places = await this.disclosure.placesOfUpdates(updates.map((u) => u.id), now);
    const operationIds = [...new Set(updates.map((u) => u.operationId).filter((id): id is number => id !== null))];
    const areas = await this.repository.operationAreas(operationIds);

    let queued = 0;
    for (const subscription of subscriptions) {
      const drawn = subscription.area ? fromJson<Polygonal | null>(subscription.area, null) : null;
      const concerns = (update: UpdateToSend) => {
        if (subscription.operationId !== null) return update.operationId === subscription.operationId;
        if (!drawn) return false;
        const operationOverlaps = areas.some((a) => a.operationId === update.operationId && overlaps(drawn, fromJson<Polygonal>(a.geometry, { type: "Polygon", coordinates: [] })));
        return operationOverlaps || (places.get(update.id) ?? []).some((p) => holds(drawn, p.lat, p.long));
      };
      const mails = updates.filter((u) => u.id > subscription.lastUpdateId && concerns(u)).map((u) => this.alertMail(subscription, u, now));
      if (await this.repository.advance(subscription.id, subscription.lastUpdateId, Math.max(through, subscription.lastUpdateId), mails)) queued += mails.length;
    }
    return queued;
  }

  private alertMail(subscription: SubscriptionRow, update: UpdateToSend, now: Date): NewMail {
    const unsubscribe = this.link("unsubscribe", subscription.id);
    return {
      subscriptionId: subscription.id,
      purpose: "alert",
      recipientEncrypted: subscription.emailEncrypted,
      subject: `openbeat: ${update.title}`,
      body: [
        update.operationName ? `A new public update from ${update.operationName}:` : "A new public update:",
        "",
        update.title,
        "",
        update.body,
        "",
        `Read it on openbeat: ${this.baseUrl}/updates/${update.id}`,
        "",
        "---",
        subscription.operationId !== null ? "You asked for these emails about this operation." : "You asked for these emails about an area you drew on the map.",
        `Stop them, with one click: ${unsubscribe}`,
        "If someone is in danger now, call 999.",
      ].join("\n"),
      unsubscribeUrl: unsubscribe,
      nextAttemptAt: now.toISOString(),
      createdAt: now.toISOString(),
    };
  }

  /** Public updates, newest first, for the Atom feeds. */
  publicUpdates(filter: { operationId?: number; limit: number }) {
    return this.repository.publicUpdates(filter);
  }

  async publishedOperation(slug: string) {
    return (await this.repository.publishedOperations()).find((o) => o.slug === slug);
  }
}
