// The safeguarding lead's work: pseudonymous cases, the urgent path, consent to share, and
// referrals to partner agencies. Every collection, consultation, alteration, combination,
// disclosure and erasure of a case's personal data is written to the audit log, with the
// reason the lead gave; names, needs and notes never reach the log, only record ids.
import { errors, type FieldProblem } from "../../http/errors.ts";
import { decrypt, encrypt } from "../../http/encryption.ts";
import { fromJson } from "../../db/database.ts";
import {
  AGE_BANDS,
  assertCanClose,
  assertCanReopen,
  assertConsentChange,
  caseReference,
  checkDutyRecord,
  CLOSURE_REASONS,
  CONSENT_STATUSES,
  currentAgreement,
  DECLINE_REASONS,
  INDICATOR_GROUPS,
  INDICATORS,
  isChild,
  isIndicator,
  isOpenReferral,
  isReferralService,
  LEGAL_BASES,
  NEEDS,
  NRM_OUTCOMES,
  openDuties,
  outstandingDuties,
  REFERRAL_OUTCOMES,
  REFERRAL_SERVICES,
  REFERRAL_STATUSES,
  referralBasis,
  referralReference,
  SafeguardingRuleError,
  URGENT_DUTIES,
  URGENT_DUTY_CODES,
  urgentPathApplies,
  type AgeBand,
  type CaseStatus,
  type ConsentStatus,
  type Need,
  type ReferralStatus,
  type UrgentDuties,
  type UrgentDuty,
} from "../../domain/safeguarding.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import type { PartnersRepository } from "../partners/partners.repository.ts";
import type { CaseReason, ParsedDate } from "./safeguarding-form.ts";
import { ukToday } from "./safeguarding-form.ts";
import type { CaseRow, SafeguardingRepository } from "./safeguarding.repository.ts";

export const ALIAS_LIMIT = 40;
export const REAL_NAME_LIMIT = 100;
export const TEXT_LIMIT = 2000;
const ENGAGEMENT_LOOKBACK_DAYS = 90;

export interface CaseInput {
  alias: string;
  realName: string;
  ageBand: string;
  indicators: string[];
  needs: string[];
  needsDetails: string;
}

export interface OpenCaseInput extends CaseInput {
  consent: string;
}

export interface AssessmentInput extends CaseInput {
  removeRealName: boolean;
}

interface StoredNeeds {
  codes: Need[];
  details: string;
}

/** What a referral disclosed to the agency, frozen when it was sent. */
export interface SharedWithAgency {
  alias: string;
  ageBand: AgeBand;
  summary: string;
}

const looksLikeHtml = (text: string) => /<[a-z!/?]/i.test(text);

function checkCase(input: CaseInput, problems: FieldProblem[]): void {
  const alias = input.alias.trim();
  if (!alias) problems.push({ field: "alias", message: "Enter an alias: a name the person is known by that does not identify them" });
  else if (alias.length > ALIAS_LIMIT) problems.push({ field: "alias", message: `Keep the alias to ${ALIAS_LIMIT} characters or fewer` });
  else if (looksLikeHtml(alias)) problems.push({ field: "alias", message: "Remove anything written between < and >" });
  if (input.realName.trim().length > REAL_NAME_LIMIT) problems.push({ field: "realName", message: `Keep the real name to ${REAL_NAME_LIMIT} characters or fewer` });
  if (!Object.hasOwn(AGE_BANDS, input.ageBand)) problems.push({ field: "ageBand", message: "Choose an age band. If there is any sign the person is under 18, choose under 18" });
  if (!input.indicators.every(isIndicator)) problems.push({ field: "indicators", message: "Choose signs from the list" });
  if (!input.needs.every((n) => Object.hasOwn(NEEDS, n))) problems.push({ field: "needs", message: "Choose needs from the list" });
  if (input.needsDetails.trim().length > TEXT_LIMIT) problems.push({ field: "needsDetails", message: `Keep the details of needs to ${TEXT_LIMIT} characters or fewer` });
}

/** Runs a domain rule, turning a broken rule into a 400 that names the field to fix. */
function rule<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SafeguardingRuleError) throw errors.invalid([{ field: error.field, message: error.message }]);
    throw error;
  }
}

export class SafeguardingService {
  constructor(
    private readonly repository: SafeguardingRepository,
    private readonly partners: PartnersRepository,
    private readonly audit: AuditService,
    private readonly key: Buffer,
  ) {}

  private actor(user: StaffUser) {
    return { id: user.id, role: user.role };
  }

  private async caseOrNotFound(id: number): Promise<CaseRow> {
    const row = Number.isSafeInteger(id) && id > 0 ? await this.repository.findCase(id) : undefined;
    if (!row) throw errors.notFound("case");
    return row;
  }

  private async change(row: CaseRow, values: Parameters<SafeguardingRepository["updateCase"]>[2]): Promise<void> {
    const changed = await this.repository.updateCase(row.id, row.updatedAt, values);
    if (!changed) throw errors.conflict("Someone else changed this case at the same time. Reload it and try again.");
  }

  private needsOf(row: CaseRow): StoredNeeds {
    return JSON.parse(decrypt(this.key, row.needsEncrypted)) as StoredNeeds;
  }

  /** The lead's list of cases. Aliases are personal data, so the listing is logged as a consultation. */
  async listCases(status: CaseStatus, user: StaffUser) {
    const rows = await this.repository.listCases(status);
    if (rows.length) {
      await this.audit.record({ actor: this.actor(user), operation: "consultation", recordType: "safeguarding-case", recordIds: rows.map((r) => r.id) });
    }
    return rows.map((row) => {
      const duties = fromJson<UrgentDuties>(row.urgentDuties, {});
      return {
        id: row.id,
        reference: caseReference(row.id),
        alias: row.alias,
        ageBand: AGE_BANDS[row.ageBand as AgeBand] ?? row.ageBand,
        consent: CONSENT_STATUSES[row.consentStatus as ConsentStatus] ?? row.consentStatus,
        urgent: urgentPathApplies(duties),
        outstanding: outstandingDuties(duties).length,
        updatedAt: row.updatedAt,
        createdAt: row.createdAt,
        closedAt: row.closedAt,
      };
    });
  }

  /** For the safeguarding lead's home page: how many cases are open and how many owe an urgent duty. No case is consulted. */
  async openCaseCounts(): Promise<{ cases: number; urgent: number }> {
    const rows = await this.repository.dutiesOfCases("open");
    return { cases: rows.length, urgent: rows.filter((row) => outstandingDuties(fromJson<UrgentDuties>(row.urgentDuties, {})).length > 0).length };
  }

  async exists(id: number): Promise<boolean> {
    return Number.isSafeInteger(id) && id > 0 && (await this.repository.findCase(id)) !== undefined;
  }

  /** What needs fixing in a new case's answers. */
  checkOpening(input: OpenCaseInput): FieldProblem[] {
    const problems: FieldProblem[] = [];
    checkCase(input, problems);
    if (!["not-asked", "given", "refused"].includes(input.consent)) problems.push({ field: "consent", message: "Choose whether the person agreed to their information being shared" });
    return problems;
  }

  /** Opens a case; a child or signs of trafficking open the urgent path at once, before any consent. */
  async openCase(input: OpenCaseInput, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<{ id: number; opened: UrgentDuty[] }> {
    const problems = this.checkOpening(input);
    if (problems.length) throw errors.invalid(problems);
    const at = now.toISOString();
    const { duties, opened } = openDuties({}, input.ageBand as AgeBand, input.indicators, now);
    const consent = input.consent as ConsentStatus;
    const realName = input.realName.trim();
    const id = await this.repository.insertCase({
      alias: input.alias.trim(),
      realNameEncrypted: realName ? encrypt(this.key, realName) : null,
      ageBand: input.ageBand,
      indicators: JSON.stringify([...new Set(input.indicators)]),
      needsEncrypted: encrypt(this.key, JSON.stringify({ codes: [...new Set(input.needs)], details: input.needsDetails.trim() } as StoredNeeds)),
      consentStatus: consent,
      consentChangedAt: consent === "not-asked" ? null : at,
      consentGivenAt: consent === "given" ? at : null,
      consentWithdrawnAt: null,
      urgentDuties: JSON.stringify(duties),
      status: "open",
      closureReason: null,
      openedBy: user.id,
      closedBy: null,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    });
    await this.audit.record({ actor: this.actor(user), operation: "collection", recordType: "safeguarding-case", recordIds: [id], reason }, now);
    return { id, opened };
  }

  /** Reads a case for a stated reason, logged as a consultation. The real name stays hidden. */
  async readCase(id: number, reason: CaseReason, user: StaffUser) {
    const row = await this.caseOrNotFound(id);
    await this.audit.record({ actor: this.actor(user), operation: "consultation", recordType: "safeguarding-case", recordIds: [row.id], reason });
    const [notes, engagements, referrals] = await Promise.all([
      this.repository.notesOf(row.id),
      this.repository.engagementsOf(row.id),
      this.repository.referralsOfCase(row.id),
    ]);
    const updates = await this.partners.updatesOf(referrals.map((r) => r.id));
    const duties = fromJson<UrgentDuties>(row.urgentDuties, {});
    const needs = this.needsOf(row);
    const indicators = fromJson<string[]>(row.indicators, []).filter(isIndicator);
    return {
      id: row.id,
      reference: caseReference(row.id),
      alias: row.alias,
      hasRealName: row.realNameEncrypted !== null,
      ageBand: row.ageBand as AgeBand,
      ageBandLabel: AGE_BANDS[row.ageBand as AgeBand] ?? row.ageBand,
      child: isChild(row.ageBand as AgeBand),
      indicators,
      indicatorGroups: INDICATOR_GROUPS.map((group) => ({
        title: group.title,
        opensUrgentPath: group.opensUrgentPath,
        signs: Object.keys(group.indicators).filter((code) => (indicators as string[]).includes(code)).map((code) => INDICATORS[code as keyof typeof INDICATORS].label),
      })).filter((group) => group.signs.length),
      needs: { codes: needs.codes, labels: needs.codes.map((code) => NEEDS[code]), details: needs.details },
      consent: {
        status: row.consentStatus as ConsentStatus,
        label: CONSENT_STATUSES[row.consentStatus as ConsentStatus],
        changedAt: row.consentChangedAt,
        givenAt: row.consentGivenAt,
        withdrawnAt: row.consentWithdrawnAt,
      },
      urgent: urgentPathApplies(duties),
      duties: URGENT_DUTY_CODES.filter((code) => duties[code]).map((code) => ({
        code,
        ...URGENT_DUTIES[code],
        ...duties[code]!,
        outcomeLabel: duties[code]!.outcome ? NRM_OUTCOMES[duties[code]!.outcome as keyof typeof NRM_OUTCOMES] : null,
      })),
      outstanding: outstandingDuties(duties),
      status: row.status as CaseStatus,
      closureReason: row.closureReason ? CLOSURE_REASONS[row.closureReason as keyof typeof CLOSURE_REASONS] : null,
      createdAt: row.createdAt,
      closedAt: row.closedAt,
      notes: notes.map((note) => ({ body: decrypt(this.key, note.bodyEncrypted), authorName: note.authorName, createdAt: note.createdAt })),
      engagements: engagements.map((e) => ({ ...e, referralOffered: Boolean(e.referralOffered), safeguardingConcern: Boolean(e.safeguardingConcern) })),
      referrals: referrals.map((referral) => ({
        id: referral.id,
        reference: referralReference(referral.id),
        agencyName: referral.agencyName,
        service: REFERRAL_SERVICES[referral.service as keyof typeof REFERRAL_SERVICES] ?? referral.service,
        status: referral.status as ReferralStatus,
        statusLabel: REFERRAL_STATUSES[referral.status as ReferralStatus] ?? referral.status,
        legalBasis: LEGAL_BASES[referral.legalBasis as keyof typeof LEGAL_BASES] ?? referral.legalBasis,
        declineReason: referral.declineReason ? DECLINE_REASONS[referral.declineReason as keyof typeof DECLINE_REASONS] : null,
        outcome: referral.outcome ? REFERRAL_OUTCOMES[referral.outcome as keyof typeof REFERRAL_OUTCOMES] : null,
        createdAt: referral.createdAt,
        respondedAt: referral.respondedAt,
        closedAt: referral.closedAt,
        updates: updates
          .filter((u) => u.referralId === referral.id)
          .map((u) => ({
            body: decrypt(this.key, u.bodyEncrypted),
            outcome: u.outcome ? REFERRAL_OUTCOMES[u.outcome as keyof typeof REFERRAL_OUTCOMES] : null,
            authorName: u.authorName,
            createdAt: u.createdAt,
          })),
      })),
    };
  }

  /** The values the assessment form starts from; reading them is a consultation like reading the case. */
  async assessmentOf(id: number, reason: CaseReason, user: StaffUser) {
    const row = await this.caseOrNotFound(id);
    await this.audit.record({ actor: this.actor(user), operation: "consultation", recordType: "safeguarding-case", recordIds: [row.id], reason });
    const needs = this.needsOf(row);
    return {
      id: row.id,
      reference: caseReference(row.id),
      status: row.status as CaseStatus,
      hasRealName: row.realNameEncrypted !== null,
      values: {
        alias: row.alias,
        realName: "",
        ageBand: row.ageBand,
        indicators: fromJson<string[]>(row.indicators, []),
        needs: needs.codes as string[],
        needsDetails: needs.details,
      },
    };
  }

  /** Shows the restricted real name for a stated reason, logged as its own consultation. */
  async revealRealName(id: number, reason: CaseReason, user: StaffUser): Promise<string> {
    const row = await this.caseOrNotFound(id);
    if (!row.realNameEncrypted) throw errors.notFound("real name");
    await this.audit.record({ actor: this.actor(user), operation: "consultation", recordType: "safeguarding-case-real-name", recordIds: [row.id], reason });
    return decrypt(this.key, row.realNameEncrypted);
  }

  async updateAssessment(id: number, input: AssessmentInput, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<{ opened: UrgentDuty[] }> {
    const row = await this.caseOrNotFound(id);
    if (row.status !== "open") throw errors.invalid([{ field: "case", message: "The case is closed: reopen it to change it" }]);
    const problems: FieldProblem[] = [];
    checkCase(input, problems);
    if (problems.length) throw errors.invalid(problems);
    const { duties, opened } = openDuties(fromJson<UrgentDuties>(row.urgentDuties, {}), input.ageBand as AgeBand, input.indicators, now);
    const newRealName = input.realName.trim();
    const erasingRealName = input.removeRealName && row.realNameEncrypted !== null && !newRealName;
    const realNameEncrypted = newRealName ? encrypt(this.key, newRealName) : input.removeRealName ? null : row.realNameEncrypted;
    await this.change(row, {
      alias: input.alias.trim(),
      realNameEncrypted,
      ageBand: input.ageBand,
      indicators: JSON.stringify([...new Set(input.indicators)]),
      needsEncrypted: encrypt(this.key, JSON.stringify({ codes: [...new Set(input.needs)], details: input.needsDetails.trim() } as StoredNeeds)),
      urgentDuties: JSON.stringify(duties),
      updatedAt: now.toISOString(),
    });
    const actor = this.actor(user);
    await this.audit.record({ actor, operation: "alteration", recordType: "safeguarding-case", recordIds: [row.id], reason }, now);
    if (newRealName) {
      await this.audit.record({ actor, operation: row.realNameEncrypted ? "alteration" : "collection", recordType: "safeguarding-case-real-name", recordIds: [row.id], reason }, now);
    } else if (erasingRealName) {
      await this.audit.record({ actor, operation: "erasure", recordType: "safeguarding-case-real-name", recordIds: [row.id], reason }, now);
    }
    return { opened };
  }

  /** Records consent to share, its refusal, or its withdrawal (which stops further sharing, not what was shared). */
  async changeConsent(id: number, to: string, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<void> {
    const row = await this.caseOrNotFound(id);
    if (!Object.hasOwn(CONSENT_STATUSES, to) || to === "not-asked") throw errors.invalid([{ field: "consent", message: "Choose what the person decided about sharing their information" }]);
    rule(() => assertConsentChange(row.consentStatus as ConsentStatus, to as ConsentStatus));
    const at = now.toISOString();
    await this.change(row, {
      consentStatus: to,
      consentChangedAt: at,
      ...(to === "given" ? { consentGivenAt: at } : {}),
      ...(to === "withdrawn" ? { consentWithdrawnAt: at } : {}),
      updatedAt: at,
    });
    await this.audit.record({ actor: this.actor(user), operation: "alteration", recordType: "safeguarding-case", recordIds: [row.id], reason }, now);
  }

  /** Records how an urgent duty was met. The referral or notification made outside openbeat is logged as a disclosure to its recipient. */
  async recordDuty(
    id: number,
    duty: string,
    input: { doneOn: ParsedDate; reference: string; outcome: string },
    reason: CaseReason,
    user: StaffUser,
    now: Date = new Date(),
  ): Promise<void> {
    const row = await this.caseOrNotFound(id);
    const duties = fromJson<UrgentDuties>(row.urgentDuties, {});
    if (!(URGENT_DUTY_CODES as string[]).includes(duty) || !duties[duty as UrgentDuty]) {
      throw errors.invalid([{ field: "duty", message: "That duty has not opened for this case" }]);
    }
    const code = duty as UrgentDuty;
    const problems: FieldProblem[] = [];
    const field = `duty-${code}`;
    const doneOn = input.doneOn.value;
    if (input.doneOn.problem) problems.push(input.doneOn.problem);
    else if (doneOn && doneOn > ukToday(now)) problems.push({ field: `${field}-doneOn-day`, message: "The date it was made must be today or in the past" });
    const reference = input.reference.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/.test(reference) || !/\d/.test(reference)) {
      problems.push({ field: `${field}-reference`, message: "Give the reference of the referral or notification, with at least one number: letters, numbers, slashes and dashes only" });
    }
    let outcome: string | null = null;
    try {
      outcome = checkDutyRecord(code, { outcome: input.outcome, child: isChild(row.ageBand as AgeBand) });
    } catch (error) {
      if (!(error instanceof SafeguardingRuleError)) throw error;
      problems.push({ field: `${field}-outcome`, message: error.message });
    }
    if (problems.length) throw errors.invalid(problems);
    const firstRecord = !duties[code]!.doneOn;
    duties[code] = { ...duties[code]!, doneOn, reference, outcome, recordedBy: user.id, recordedAt: now.toISOString() };
    await this.change(row, { urgentDuties: JSON.stringify(duties), updatedAt: now.toISOString() });
    const actor = this.actor(user);
    await this.audit.record({ actor, operation: "alteration", recordType: "safeguarding-case", recordIds: [row.id], reason }, now);
    if (firstRecord && outcome !== "adult-did-not-consent") {
      await this.audit.record(
        { actor, operation: "disclosure", recordType: "safeguarding-case", recordIds: [row.id], reason: { code: "safeguarding", reference }, recipients: [URGENT_DUTIES[code].recipient] },
        now,
      );
    }
  }

  async addNote(id: number, body: string, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<void> {
    const row = await this.caseOrNotFound(id);
    if (row.status !== "open") throw errors.invalid([{ field: "note", message: "The case is closed: reopen it to add a note" }]);
    const text = body.trim();
    if (!text) throw errors.invalid([{ field: "note", message: "Write the note" }]);
    if (text.length > TEXT_LIMIT) throw errors.invalid([{ field: "note", message: `Keep the note to ${TEXT_LIMIT} characters or fewer` }]);
    const noteId = await this.repository.insertNote({ caseId: row.id, authorId: user.id, bodyEncrypted: encrypt(this.key, text), createdAt: now.toISOString() });
    await this.audit.record({ actor: this.actor(user), operation: "collection", recordType: "case-note", recordIds: [noteId], reason }, now);
  }

  /** Officers' recent engagements the lead may link to the case. */
  async linkableEngagements(id: number, now: Date = new Date()) {
    const rows = await this.repository.recentEngagements(id, new Date(now.getTime() - ENGAGEMENT_LOOKBACK_DAYS * 86_400_000).toISOString());
    return rows.map((e) => ({ ...e, safeguardingConcern: Boolean(e.safeguardingConcern) }));
  }

  /** Links an officer's engagement to the case: only the safeguarding role combines the two, and it is logged as a combination. */
  async linkEngagement(id: number, engagementId: number, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<void> {
    const row = await this.caseOrNotFound(id);
    if (row.status !== "open") throw errors.invalid([{ field: "engagementId", message: "The case is closed: reopen it to link an engagement" }]);
    const engagement = Number.isSafeInteger(engagementId) && engagementId > 0 ? await this.repository.findEngagement(engagementId) : undefined;
    if (!engagement) throw errors.invalid([{ field: "engagementId", message: "Choose an officer's engagement to link" }]);
    const linked = await this.repository.linkEngagement({ caseId: row.id, engagementId: engagement.id, linkedBy: user.id, linkedAt: now.toISOString() });
    if (!linked) throw errors.invalid([{ field: "engagementId", message: "That engagement is already linked to this case" }]);
    await this.audit.record(
      { actor: this.actor(user), operation: "combination", recordType: "case-engagement", recordIds: [`case:${row.id}`, `engagement:${engagement.id}`], reason },
      now,
    );
  }

  /** Agencies and services the lead can refer to; those without an agreement in force are shown but cannot be chosen. */
  async referralOptions(now: Date = new Date()) {
    const agencies = await this.partners.listAgencies();
    const agreements = await this.partners.agreementsOf(agencies.map((a) => a.id));
    const today = ukToday(now);
    return agencies.flatMap((agency) => {
      const agreement = currentAgreement(
        agreements.filter((a) => a.partnerAgencyId === agency.id),
        today,
      );
      return fromJson<string[]>(agency.services, [])
        .filter(isReferralService)
        .map((service) => ({
          value: `${agency.id}:${service}`,
          text: `${agency.name}: ${REFERRAL_SERVICES[service]}${agreement ? "" : " (no information-sharing agreement in force)"}`,
          disabled: !agreement,
        }));
    });
  }

  /**
   * Refers the person to a partner agency under the agency's information-sharing agreement in
   * force. Needs consent unless the urgent path applies. What is shared is frozen in the
   * referral, and the disclosure is logged with the agency as its recipient and the agreement
   * as its justification.
   */
  async refer(
    id: number,
    input: { agencyId: number; service: string; summary: string },
    user: StaffUser,
    now: Date = new Date(),
  ): Promise<number> {
    const row = await this.caseOrNotFound(id);
    const duties = fromJson<UrgentDuties>(row.urgentDuties, {});
    const basis = rule(() =>
      referralBasis({
        consent: row.consentStatus as ConsentStatus,
        consentWithdrawnOn: row.consentWithdrawnAt ? ukToday(new Date(row.consentWithdrawnAt)) : null,
        duties,
        ageBand: row.ageBand as AgeBand,
        caseStatus: row.status as CaseStatus,
        service: input.service,
      }),
    );
    const agency = Number.isSafeInteger(input.agencyId) && input.agencyId > 0 ? await this.partners.findAgency(input.agencyId) : undefined;
    if (!agency) throw errors.invalid([{ field: "service", message: "Choose the agency and the service to refer the person to" }]);
    const service = input.service as keyof typeof REFERRAL_SERVICES;
    if (!fromJson<string[]>(agency.services, []).includes(service)) {
      throw errors.invalid([{ field: "service", message: `${agency.name} does not offer ${REFERRAL_SERVICES[service].toLowerCase()}: choose another agency or service` }]);
    }
    const agreement = currentAgreement(await this.partners.agreementsOf([agency.id]), ukToday(now));
    if (!agreement) {
      throw errors.invalid([{ field: "service", message: `There is no information-sharing agreement in force with ${agency.name}: ask an administrator to record one before referring` }]);
    }
    const summary = input.summary.trim();
    if (!summary) throw errors.invalid([{ field: "summary", message: "Write what the agency needs to know to help, and no more" }]);
    if (summary.length > TEXT_LIMIT) throw errors.invalid([{ field: "summary", message: `Keep what you share to ${TEXT_LIMIT} characters or fewer` }]);
    const existing = await this.repository.referralsOfCase(row.id);
    if (existing.some((r) => r.partnerAgencyId === agency.id && r.service === service && isOpenReferral(r.status as ReferralStatus))) {
      throw errors.invalid([{ field: "service", message: `${agency.name} already has an open referral for this person for ${REFERRAL_SERVICES[service].toLowerCase()}` }]);
    }
    const at = now.toISOString();
    const shared: SharedWithAgency = { alias: row.alias, ageBand: row.ageBand as AgeBand, summary };
    const referralId = await this.repository.insertReferral({
      caseId: row.id,
      partnerAgencyId: agency.id,
      agreementId: agreement.id,
      service,
      status: "sent",
      legalBasis: basis,
      sharedEncrypted: encrypt(this.key, JSON.stringify(shared)),
      declineReason: null,
      outcome: null,
      createdBy: user.id,
      respondedBy: null,
      createdAt: at,
      respondedAt: null,
      closedAt: null,
      updatedAt: at,
    });
    await this.audit.record(
      {
        actor: this.actor(user),
        operation: "disclosure",
        recordType: "safeguarding-case",
        recordIds: [row.id],
        reason: { code: "partner-referral", reference: agreement.reference },
        recipients: [agency.name],
      },
      now,
    );
    return referralId;
  }

  async close(id: number, closureReason: string, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<void> {
    const row = await this.caseOrNotFound(id);
    rule(() => assertCanClose(row.status as CaseStatus, fromJson<UrgentDuties>(row.urgentDuties, {}), closureReason));
    const at = now.toISOString();
    await this.change(row, { status: "closed", closureReason, closedAt: at, closedBy: user.id, updatedAt: at });
    await this.audit.record({ actor: this.actor(user), operation: "alteration", recordType: "safeguarding-case", recordIds: [row.id], reason }, now);
  }

  async reopen(id: number, reason: CaseReason, user: StaffUser, now: Date = new Date()): Promise<void> {
    const row = await this.caseOrNotFound(id);
    rule(() => assertCanReopen(row.status as CaseStatus));
    await this.change(row, { status: "open", closureReason: null, closedAt: null, closedBy: null, updatedAt: now.toISOString() });
    await this.audit.record({ actor: this.actor(user), operation: "alteration", recordType: "safeguarding-case", recordIds: [row.id], reason }, now);
  }
}
