// Partner agencies: the administrator's register of agencies, their information-sharing
// agreements and their workers; and the partner worker's side of a referral. A worker sees
// only the referrals made to their own agency: any other referral does not exist for them.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { decrypt, encrypt } from "../../http/encryption.ts";
import { fromJson } from "../../db/database.ts";
import {
  AGE_BANDS,
  assertReferralTransition,
  canPostUpdate,
  currentAgreement,
  DECLINE_REASONS,
  isAgreementCurrent,
  isReferralService,
  LEGAL_BASES,
  REFERRAL_OUTCOMES,
  REFERRAL_SERVICES,
  REFERRAL_STATUSES,
  referralReference,
  SafeguardingRuleError,
  type ReferralStatus,
} from "../../domain/safeguarding.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { normaliseEmail, type StaffUser } from "../auth/auth.service.ts";
import type { UsersRepository } from "../auth/users.repository.ts";
import { ukToday, type ParsedDate } from "../safeguarding/safeguarding-form.ts";
import type { SharedWithAgency } from "../safeguarding/safeguarding.service.ts";
import type { PartnersRepository, ReferralRow } from "./partners.repository.ts";

export const AGENCY_NAME_LIMIT = 100;
export const UPDATE_LIMIT = 2000;
const AGREEMENT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/;

export class PartnersService {
  constructor(
    private readonly repository: PartnersRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly key: Buffer,
  ) {}

  // The administrator's register.

  async listAgencies(now: Date = new Date()) {
    const agencies = await this.repository.listAgencies();
    const ids = agencies.map((a) => a.id);
    const [agreements, workers] = await Promise.all([this.repository.agreementsOf(ids), this.repository.workersOf(ids)]);
    const today = ukToday(now);
    return agencies.map((agency) => {
      const current = currentAgreement(
        agreements.filter((a) => a.partnerAgencyId === agency.id),
        today,
      );
      return {
        id: agency.id,
        name: agency.name,
        services: fromJson<string[]>(agency.services, []).filter(isReferralService).map((s) => REFERRAL_SERVICES[s]),
        agreement: current ? { reference: current.reference, expiresOn: current.expiresOn } : null,
        workers: workers.filter((w) => w.partnerAgencyId === agency.id).length,
      };
    });
  }

  async createAgency(input: { name: string; services: string[] }, now: Date = new Date()): Promise<number> {
    const name = input.name.trim();
    const problems: FieldProblem[] = [];
    if (!name) problems.push({ field: "name", message: "Enter the agency's name" });
    else if (name.length > AGENCY_NAME_LIMIT) problems.push({ field: "name", message: `Keep the name to ${AGENCY_NAME_LIMIT} characters or fewer` });
    else if (await this.repository.findAgencyByName(name)) problems.push({ field: "name", message: `There is already an agency called ${name}` });
    if (input.services.length === 0) problems.push({ field: "services", message: "Choose at least one service the agency provides" });
    else if (!input.services.every(isReferralService)) problems.push({ field: "services", message: "Choose services from the list" });
    if (problems.length) throw errors.invalid(problems);
    return this.repository.createAgency({ name, services: JSON.stringify([...new Set(input.services)]), createdAt: now.toISOString() });
  }

  async agency(id: number, now: Date = new Date()) {
    const agency = Number.isSafeInteger(id) && id > 0 ? await this.repository.findAgency(id) : undefined;
    if (!agency) throw errors.notFound("partner agency");
    const [agreements, workers] = await Promise.all([this.repository.agreementsOf([id]), this.repository.workersOf([id])]);
    const today = ukToday(now);
    return {
      id: agency.id,
      name: agency.name,
      services: fromJson<string[]>(agency.services, []).filter(isReferralService).map((s) => REFERRAL_SERVICES[s]),
      agreements: agreements.map((a) => ({
        reference: a.reference,
        signedOn: a.signedOn,
        expiresOn: a.expiresOn,
        current: isAgreementCurrent(a, today),
        expired: a.expiresOn < today,
      })),
      workers: workers.map((w) => ({ id: w.id, name: w.name, email: w.email, disabled: w.disabledAt !== null })),
    };
  }

  async addAgreement(agencyId: number, input: { reference: string; signedOn: ParsedDate; expiresOn: ParsedDate }, user: StaffUser, now: Date = new Date()): Promise<void> {
    const agency = await this.repository.findAgency(agencyId);
    if (!agency) throw errors.notFound("partner agency");
    const problems: FieldProblem[] = [];
    const reference = input.reference.trim();
    if (!AGREEMENT_REFERENCE.test(reference) || !/\d/.test(reference)) {
      problems.push({ field: "reference", message: "Enter the agreement's reference, with at least one number, like ISA/2026/004: letters, numbers, slashes and dashes only" });
    } else if (await this.repository.findAgreementByReference(reference)) {
      problems.push({ field: "reference", message: `An agreement with the reference ${reference} is already recorded` });
    }
    const signedOn = input.signedOn.value;
    const expiresOn = input.expiresOn.value;
    if (input.signedOn.problem) problems.push(input.signedOn.problem);
    else if (signedOn && signedOn > ukToday(now)) problems.push({ field: "signedOn-day", message: "The date it was signed must be today or in the past" });
    if (input.expiresOn.problem) problems.push(input.expiresOn.problem);
    else if (signedOn && expiresOn && expiresOn <= signedOn) problems.push({ field: "expiresOn-day", message: "The expiry date must be after the date it was signed" });
    if (problems.length || !signedOn || !expiresOn) throw errors.invalid(problems);
    await this.repository.createAgreement({
      partnerAgencyId: agency.id,
      reference,
      signedOn,
      expiresOn,
      recordedBy: user.id,
      createdAt: now.toISOString(),
    });
  }

  /** Gives a partner worker's account access to an agency's referrals. */
  async attachWorker(agencyId: number, email: string, user: StaffUser, now: Date = new Date()): Promise<void> {
    const agency = await this.repository.findAgency(agencyId);
    if (!agency) throw errors.notFound("partner agency");
    const account = email.trim() ? await this.users.findByEmail(normaliseEmail(email)) : undefined;
    if (!account) throw errors.invalid([{ field: "email", message: "There is no staff account with that email address: add the account first, with the partner agency worker role" }]);
    if (account.role !== "partner-worker") {
      throw errors.invalid([{ field: "email", message: "That account is not a partner agency worker's: only partner agency workers can be attached to an agency" }]);
    }
    if (account.partnerAgencyId === agency.id) throw errors.invalid([{ field: "email", message: `That account is already attached to ${agency.name}` }]);
    await this.users.update(account.id, { partnerAgencyId: agency.id });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "user", recordIds: [account.id] }, now);
  }

  async detachWorker(agencyId: number, userId: number, user: StaffUser): Promise<void> {
    const account = await this.users.findById(userId);
    if (!account || account.partnerAgencyId !== agencyId) throw errors.notFound("partner worker");
    await this.users.update(account.id, { partnerAgencyId: null });
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "user", recordIds: [account.id] });
  }

  // The partner worker's side.

  /** The worker's own agency's referral, or "not found", whatever the reason it is out of reach. */
  private async referralFor(id: number, user: StaffUser): Promise<ReferralRow> {
    const referral = Number.isSafeInteger(id) && id > 0 ? await this.repository.findReferral(id) : undefined;
    if (!referral || user.partnerAgencyId === null || referral.partnerAgencyId !== user.partnerAgencyId) throw errors.notFound("referral");
    return referral;
  }

  /** The referrals made to the worker's agency; the list holds no personal data, only references and states. */
  async referralsFor(user: StaffUser) {
    if (user.partnerAgencyId === null) return { agency: null, referrals: [] };
    const [agency, rows] = await Promise.all([this.repository.findAgency(user.partnerAgencyId), this.repository.referralsOfAgency(user.partnerAgencyId)]);
    return {
      agency: agency ? { name: agency.name } : null,
      referrals: rows.map((row) => ({
        id: row.id,
        reference: referralReference(row.id),
        service: REFERRAL_SERVICES[row.service as keyof typeof REFERRAL_SERVICES] ?? row.service,
        status: row.status as ReferralStatus,
        statusLabel: REFERRAL_STATUSES[row.status as ReferralStatus] ?? row.status,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      })),
    };
  }

  /** Opens one referral: what was shared, and the updates. Logged as a consultation for the referral. */
  async openReferral(id: number, user: StaffUser) {
    const referral = await this.referralFor(id, user);
    const reference = referralReference(referral.id);
    await this.audit.record({
      actor: { id: user.id, role: user.role },
      operation: "consultation",
      recordType: "referral",
      recordIds: [referral.id],
      reason: { code: "partner-referral", reference },
    });
    const [updates, referrer, agreement, consent] = await Promise.all([
      this.repository.updatesOf([referral.id]),
      this.repository.userById(referral.createdBy),
      this.repository.findAgreement(referral.agreementId),
      this.repository.caseConsentOf(referral.caseId),
    ]);
    const shared = JSON.parse(decrypt(this.key, referral.sharedEncrypted)) as SharedWithAgency;
    return {
      id: referral.id,
      reference,
      service: REFERRAL_SERVICES[referral.service as keyof typeof REFERRAL_SERVICES] ?? referral.service,
      status: referral.status as ReferralStatus,
      statusLabel: REFERRAL_STATUSES[referral.status as ReferralStatus] ?? referral.status,
      legalBasis: LEGAL_BASES[referral.legalBasis as keyof typeof LEGAL_BASES] ?? referral.legalBasis,
      agreementReference: agreement?.reference ?? null,
      alias: shared.alias,
      ageBand: AGE_BANDS[shared.ageBand] ?? shared.ageBand,
      summary: shared.summary,
      referrer: referrer ? { name: referrer.name, email: referrer.email } : null,
      createdAt: referral.createdAt,
      respondedAt: referral.respondedAt,
      declineReason: referral.declineReason ? DECLINE_REASONS[referral.declineReason as keyof typeof DECLINE_REASONS] : null,
      outcome: referral.outcome ? REFERRAL_OUTCOMES[referral.outcome as keyof typeof REFERRAL_OUTCOMES] : null,
      // The agency is told that nothing more will be shared; what it already holds stays with it.
      consentWithdrawn: referral.legalBasis === "consent" && consent?.consentStatus === "withdrawn",
      canRespond: referral.status === "sent",
      canUpdate: canPostUpdate(referral.status as ReferralStatus),
      updates: updates.map((u) => ({
        body: decrypt(this.key, u.bodyEncrypted),
        outcome: u.outcome ? REFERRAL_OUTCOMES[u.outcome as keyof typeof REFERRAL_OUTCOMES] : null,
        authorName: u.authorName,
        createdAt: u.createdAt,
      })),
    };
  }

  async respond(id: number, decision: string, declineReason: string, user: StaffUser, now: Date = new Date()): Promise<void> {
    const referral = await this.referralFor(id, user);
    if (decision !== "accept" && decision !== "decline") throw errors.invalid([{ field: "decision", message: "Choose whether your agency accepts or declines the referral" }]);
    if (decision === "decline" && !Object.hasOwn(DECLINE_REASONS, declineReason)) {
      throw errors.invalid([{ field: "declineReason", message: "Choose why your agency is declining the referral" }]);
    }
    const to: ReferralStatus = decision === "accept" ? "accepted" : "declined";
    this.transition(referral.status as ReferralStatus, to);
    const at = now.toISOString();
    const moved = await this.repository.moveReferral(referral.id, referral.status, {
      status: to,
      declineReason: to === "declined" ? declineReason : null,
      respondedBy: user.id,
      respondedAt: at,
      updatedAt: at,
    });
    if (!moved) throw errors.conflict("Someone else answered this referral at the same time. Reload it to see their answer.");
    await this.audit.record(
      { actor: { id: user.id, role: user.role }, operation: "alteration", recordType: "referral", recordIds: [referral.id], reason: { code: "partner-referral", reference: referralReference(referral.id) } },
      now,
    );
  }

  /** Posts an update; an outcome closes the referral. The update is stored encrypted and logged as a collection. */
  async postUpdate(id: number, input: { body: string; outcome: string }, user: StaffUser, now: Date = new Date()): Promise<void> {
    const referral = await this.referralFor(id, user);
    if (!canPostUpdate(referral.status as ReferralStatus)) {
      throw errors.invalid([
        {
          field: "body",
          message: referral.status === "sent" ? "Accept the referral before posting updates" : `The referral is ${REFERRAL_STATUSES[referral.status as ReferralStatus].toLowerCase()}: no more updates can be posted`,
        },
      ]);
    }
    const problems: FieldProblem[] = [];
    const body = input.body.trim();
    if (!body) problems.push({ field: "body", message: "Write the update: what your agency has done, and what happens next" });
    else if (body.length > UPDATE_LIMIT) problems.push({ field: "body", message: `Keep the update to ${UPDATE_LIMIT} characters or fewer` });
    const outcome = input.outcome || null;
    if (outcome && !Object.hasOwn(REFERRAL_OUTCOMES, outcome)) problems.push({ field: "outcome", message: "Choose an outcome from the list, or none to keep the referral open" });
    if (problems.length) throw errors.invalid(problems);
    const at = now.toISOString();
    const reference = referralReference(referral.id);
    const updateId = await this.repository.transaction(async (trx) => {
      if (outcome) {
        this.transition(referral.status as ReferralStatus, "closed");
        const moved = await this.repository.moveReferral(referral.id, referral.status, { status: "closed", outcome, closedAt: at, updatedAt: at }, trx);
        if (!moved) throw errors.conflict("Someone else changed this referral at the same time. Reload it and try again.");
      }
      return this.repository.insertUpdate({ referralId: referral.id, authorId: user.id, bodyEncrypted: encrypt(this.key, body), outcome, createdAt: at }, trx);
    });
    const actor = { id: user.id, role: user.role };
    await this.audit.record({ actor, operation: "collection", recordType: "referral-update", recordIds: [updateId], reason: { code: "partner-referral", reference } }, now);
    if (outcome) await this.audit.record({ actor, operation: "alteration", recordType: "referral", recordIds: [referral.id], reason: { code: "partner-referral", reference } }, now);
  }

  private transition(from: ReferralStatus, to: ReferralStatus): void {
    try {
      assertReferralTransition(from, to);
    } catch (error) {
      if (error instanceof SafeguardingRuleError) throw errors.invalid([{ field: "decision", message: error.message }]);
      throw error;
    }
  }
}
