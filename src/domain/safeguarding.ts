// Safeguarding: the rules for a pseudonymous case, the urgent path and sharing with partner
// agencies, with no storage or HTTP. People selling sex are treated as potential victims: nothing
// here is enforcement, and nothing here is counted as the operation's success.

/** Age bands. Any sign that a person is under 18 puts them in the first band: a child until known otherwise. */
export const AGE_BANDS = {
  "under-18": "Under 18, or may be under 18",
  "18-24": "18 to 24",
  "25-34": "25 to 34",
  "35-44": "35 to 44",
  "45-plus": "45 or over",
  "not-known": "Not known, and no sign they are under 18",
} as const;
export type AgeBand = keyof typeof AGE_BANDS;
export const AGE_BAND_CODES = Object.keys(AGE_BANDS) as AgeBand[];

export function isChild(ageBand: AgeBand): boolean {
  return ageBand === "under-18";
}

/**
 * Signs of exploitation or trafficking, grouped as the National Referral Mechanism's indicators
 * are, in plain words. Signs in a group that `opensUrgentPath` are reasonable grounds to believe
 * the person may be a victim of modern slavery or trafficking.
 */
export const INDICATOR_GROUPS = [
  {
    code: "control",
    title: "Someone else is in control",
    opensUrgentPath: true,
    indicators: {
      "movements-controlled": "Someone else controls where they go, who they see, or their phone",
      "documents-held": "Someone else holds their passport, identity papers or bank card",
      "earnings-taken": "They hand over most or all of the money they are paid",
      "debt-bondage": "They owe a debt they cannot pay off, for travel, housing or 'protection'",
      "someone-speaks-for-them": "Someone else answers for them, or is always nearby watching",
    },
  },
  {
    code: "movement",
    title: "Moved, housed or brought here by others",
    opensUrgentPath: true,
    indicators: {
      "moved-between-places": "They are moved between towns, streets or addresses by others",
      "travel-arranged": "Someone else arranged their travel to the UK or to the area, and the work on arrival",
      "does-not-know-address": "They do not know their address or the area they are in",
      "housed-by-others": "They live where they are exploited, or in housing someone else controls",
    },
  },
  {
    code: "force",
    title: "Force, threats and fear",
    opensUrgentPath: true,
    indicators: {
      "forced-to-sell-sex": "They are forced, threatened or tricked into selling sex",
      "forced-to-commit-crime": "They are made to carry or sell drugs, or to commit other crimes",
      "threats-to-family": "They or their family are threatened",
      "injuries": "Injuries, or signs of assault or neglect",
      "fear-of-authorities": "They fear the police or other authorities, or have been told they will be arrested or deported",
    },
  },
  {
    code: "exploitation",
    title: "Other signs of exploitation",
    opensUrgentPath: false,
    indicators: {
      "partner-pressure": "A partner or someone close pressures them to sell sex",
      "survival-sex": "They sell sex for drugs, food or somewhere to sleep",
      "violence-from-buyers": "Violence or threats from buyers",
      "drugs-used-to-control": "Drugs or alcohol are supplied to keep them working",
    },
  },
] as const;

type Group = (typeof INDICATOR_GROUPS)[number];
export type Indicator = Group extends infer G ? (G extends Group ? keyof G["indicators"] & string : never) : never;

export const INDICATORS: Record<Indicator, { label: string; group: string; opensUrgentPath: boolean }> = Object.fromEntries(
  INDICATOR_GROUPS.flatMap((group) =>
    Object.entries(group.indicators).map(([code, label]) => [code, { label, group: group.code, opensUrgentPath: group.opensUrgentPath }]),
  ),
) as Record<Indicator, { label: string; group: string; opensUrgentPath: boolean }>;
export const INDICATOR_CODES = Object.keys(INDICATORS) as Indicator[];

export function isIndicator(code: string): code is Indicator {
  return Object.hasOwn(INDICATORS, code);
}

export function hasTraffickingIndicators(indicators: readonly string[]): boolean {
  return indicators.some((code) => isIndicator(code) && INDICATORS[code].opensUrgentPath);
}

/** What the person needs, in their words' terms; stored encrypted with the case. */
export const NEEDS = {
  "housing": "Somewhere safe to live",
  "drugs-alcohol": "Drug or alcohol support",
  "sexual-health": "Sexual health",
  "mental-health": "Mental health",
  "physical-health": "Physical health or injuries",
  "money": "Money, benefits or debt",
  "immigration": "Immigration advice",
  "violence-support": "Support after violence or sexual violence",
  "exit": "Help to leave sex work",
} as const;
export type Need = keyof typeof NEEDS;
export const NEED_CODES = Object.keys(NEEDS) as Need[];

/**
 * The urgent path: duties that open at once, before and without any consent to share, when
 * the person may be a child or there are signs of trafficking.
 */
export const URGENT_DUTIES = {
  "child-safeguarding": {
    label: "Child safeguarding referral",
    recipient: "Local authority children's social care",
    guidance: "Refer the child to the local authority's children's social care now, so it can make child protection enquiries. A child cannot consent to their own exploitation.",
  },
  "nrm": {
    label: "National Referral Mechanism referral",
    recipient: "Home Office Single Competent Authority",
    guidance: "Refer the person to the National Referral Mechanism. A child needs no consent. An adult must agree to an NRM referral; if they do not, record that and make the duty to notify instead.",
  },
  "duty-to-notify": {
    label: "Duty to notify (Modern Slavery Act 2015 s.52)",
    recipient: "Home Office",
    guidance: "The police must notify the Home Office of a potential victim of modern slavery. An NRM referral does this: record its reference. If an adult does not agree to an NRM referral, send the anonymous notification (form MS1) and record its reference.",
  },
} as const;
export type UrgentDuty = keyof typeof URGENT_DUTIES;
export const URGENT_DUTY_CODES = Object.keys(URGENT_DUTIES) as UrgentDuty[];

/** How an NRM duty was met: only an adult can decline an NRM referral. */
export const NRM_OUTCOMES = {
  "referred": "Referred to the NRM",
  "adult-did-not-consent": "The adult did not agree to an NRM referral (duty to notify made instead)",
} as const;
export type NrmOutcome = keyof typeof NRM_OUTCOMES;

export interface UrgentDutyRecord {
  /** When the duty opened (the moment the case showed a child or signs of trafficking). */
  openedAt: string;
  /** The date the referral or notification was made ('YYYY-MM-DD'), or null while it is outstanding. */
  doneOn: string | null;
  reference: string | null;
  outcome: string | null;
  recordedBy: number | null;
  recordedAt: string | null;
}
export type UrgentDuties = Partial<Record<UrgentDuty, UrgentDutyRecord>>;

/** The duties the person's age band and signs call for. */
export function dutiesFor(ageBand: AgeBand, indicators: readonly string[]): UrgentDuty[] {
  const duties = new Set<UrgentDuty>();
  if (isChild(ageBand)) for (const duty of URGENT_DUTY_CODES) duties.add(duty);
  if (hasTraffickingIndicators(indicators)) {
    duties.add("nrm");
    duties.add("duty-to-notify");
  }
  return URGENT_DUTY_CODES.filter((duty) => duties.has(duty));
}

/**
 * Opens the duties now called for and keeps every duty already opened: once the urgent path
 * has opened for a person, correcting the case later does not quietly close a duty.
 */
export function openDuties(existing: UrgentDuties, ageBand: AgeBand, indicators: readonly string[], now: Date): { duties: UrgentDuties; opened: UrgentDuty[] } {
  const duties: UrgentDuties = { ...existing };
  const opened: UrgentDuty[] = [];
  for (const duty of dutiesFor(ageBand, indicators)) {
    if (duties[duty]) continue;
    duties[duty] = { openedAt: now.toISOString(), doneOn: null, reference: null, outcome: null, recordedBy: null, recordedAt: null };
    opened.push(duty);
  }
  return { duties, opened };
}

export function urgentPathApplies(duties: UrgentDuties): boolean {
  return Object.keys(duties).length > 0;
}

export function outstandingDuties(duties: UrgentDuties): UrgentDuty[] {
  return URGENT_DUTY_CODES.filter((duty) => duties[duty] && !duties[duty]!.doneOn);
}

export class SafeguardingRuleError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks how a duty is being recorded; the outcome, when there is one, is returned to store. */
export function checkDutyRecord(duty: UrgentDuty, input: { outcome?: string | null; child: boolean }): string | null {
  if (duty !== "nrm") return null;
  const outcome = input.outcome || "referred";
  if (!Object.hasOwn(NRM_OUTCOMES, outcome)) throw new SafeguardingRuleError("outcome", "Choose whether the NRM referral was made");
  if (outcome === "adult-did-not-consent" && input.child) {
    throw new SafeguardingRuleError("outcome", "A child needs no consent to be referred to the NRM: make the referral and record its reference");
  }
  return outcome;
}

/** Consent to share with partner agencies, and its withdrawal. */
export const CONSENT_STATUSES = {
  "not-asked": "Not yet asked",
  "given": "Given",
  "refused": "Refused",
  "withdrawn": "Withdrawn",
} as const;
export type ConsentStatus = keyof typeof CONSENT_STATUSES;

const CONSENT_TRANSITIONS: Record<ConsentStatus, ConsentStatus[]> = {
  "not-asked": ["given", "refused"],
  "given": ["withdrawn"],
  "refused": ["given"],
  "withdrawn": ["given"],
};

/** The decisions that can be recorded next, given the current one. */
export function nextConsentStatuses(from: ConsentStatus): ConsentStatus[] {
  return CONSENT_TRANSITIONS[from] ?? [];
}

export function assertConsentChange(from: ConsentStatus, to: ConsentStatus): void {
  if (from === to) throw new SafeguardingRuleError("consent", `Consent is already recorded as ${CONSENT_STATUSES[to].toLowerCase()}`);
  if (!CONSENT_TRANSITIONS[from].includes(to)) {
    const allowed = CONSENT_TRANSITIONS[from].map((s) => CONSENT_STATUSES[s].toLowerCase()).join(" or ");
    throw new SafeguardingRuleError("consent", `Consent that is ${CONSENT_STATUSES[from].toLowerCase()} can only change to ${allowed}`);
  }
}

/** The services a partner agency can be asked for. */
export const REFERRAL_SERVICES = {
  "drug-service": "Drug and alcohol service",
  "housing": "Housing",
  "sexual-violence-support": "Sexual-violence support",
  "exit-service": "Exit service (support to leave sex work)",
  "adult-safeguarding": "Adult safeguarding (Care Act 2014 s.42)",
} as const;
export type ReferralService = keyof typeof REFERRAL_SERVICES;
export const REFERRAL_SERVICE_CODES = Object.keys(REFERRAL_SERVICES) as ReferralService[];

export function isReferralService(code: string): code is ReferralService {
  return Object.hasOwn(REFERRAL_SERVICES, code);
}

/** Why a referral may lawfully be made: the person's consent, or the urgent path (a child, or signs of trafficking). */
export type LegalBasis = "consent" | "urgent";
export const LEGAL_BASES: Record<LegalBasis, string> = {
  consent: "The person's consent",
  urgent: "Urgent safeguarding (a child, or signs of trafficking): no consent needed",
};

export interface ReferralCheck {
  consent: ConsentStatus;
  consentWithdrawnOn?: string | null;
  duties: UrgentDuties;
  ageBand: AgeBand;
  caseStatus: CaseStatus;
  service: string;
}

/**
 * Decides whether a referral may be made and on what basis. A referral needs recorded consent
 * unless the urgent path applies; withdrawn consent stops further sharing, but what was shared
 * before stays with the agencies it went to.
 */
export function referralBasis(check: ReferralCheck): LegalBasis {
  if (check.caseStatus !== "open") throw new SafeguardingRuleError("case", "The case is closed: reopen it before referring the person");
  if (!isReferralService(check.service)) throw new SafeguardingRuleError("service", "Choose the agency and the service to refer the person to");
  if (check.service === "adult-safeguarding" && isChild(check.ageBand)) {
    throw new SafeguardingRuleError("service", "Adult safeguarding under the Care Act 2014 is for people aged 18 or over: for a child, make the child safeguarding referral");
  }
  if (check.consent === "given") return "consent";
  if (urgentPathApplies(check.duties)) return "urgent";
  if (check.consent === "withdrawn") {
    throw new SafeguardingRuleError(
      "consent",
      `The person withdrew their consent to share${check.consentWithdrawnOn ? ` on ${check.consentWithdrawnOn}` : ""}: nothing more can be shared with a partner agency unless they give consent again. What was shared before stays with the agencies it went to.`,
    );
  }
  if (check.consent === "refused") {
    throw new SafeguardingRuleError("consent", "The person refused consent to share: a referral can only be made with their consent, or on the urgent path (a child, or signs of trafficking)");
  }
  throw new SafeguardingRuleError(
    "consent",
    "Record the person's consent to share before referring them. Without consent, a referral can only be made on the urgent path (a child, or signs of trafficking).",
  );
}

/** An information-sharing agreement is current from the day it is signed to its expiry day, inclusive. */
export function isAgreementCurrent(agreement: { signedOn: string; expiresOn: string }, today: string): boolean {
  return agreement.signedOn <= today && today <= agreement.expiresOn;
}

export function currentAgreement<T extends { signedOn: string; expiresOn: string }>(agreements: readonly T[], today: string): T | null {
  const current = agreements.filter((a) => isAgreementCurrent(a, today));
  current.sort((a, b) => b.expiresOn.localeCompare(a.expiresOn));
  return current[0] ?? null;
}

/** Cases. */
export const CASE_STATUSES = { open: "Open", closed: "Closed" } as const;
export type CaseStatus = keyof typeof CASE_STATUSES;

export const CLOSURE_REASONS = {
  "support-in-place": "Needs met, or support in place with partner agencies",
  "moved-away": "Moved away, or passed to safeguarding in another area",
  "chose-to-stop": "The person chose not to continue",
  "lost-contact": "Lost contact",
} as const;
export type ClosureReason = keyof typeof CLOSURE_REASONS;

export function assertCanClose(status: CaseStatus, duties: UrgentDuties, reason: string): void {
  if (status === "closed") throw new SafeguardingRuleError("case", "The case is already closed");
  const outstanding = outstandingDuties(duties);
  if (outstanding.length) {
    throw new SafeguardingRuleError("closureReason", `Record the ${outstanding.map((d) => URGENT_DUTIES[d].label).join(" and the ")} before closing the case`);
  }
  if (!Object.hasOwn(CLOSURE_REASONS, reason)) throw new SafeguardingRuleError("closureReason", "Choose why the case is closing");
}

export function assertCanReopen(status: CaseStatus): void {
  if (status !== "closed") throw new SafeguardingRuleError("case", "The case is already open");
}

/** Referrals, as the receiving agency moves them: sent → accepted or declined; accepted → closed with an outcome. */
export const REFERRAL_STATUSES = {
  sent: "Sent",
  accepted: "Accepted",
  declined: "Declined",
  closed: "Closed",
} as const;
export type ReferralStatus = keyof typeof REFERRAL_STATUSES;

const REFERRAL_TRANSITIONS: Record<ReferralStatus, ReferralStatus[]> = {
  sent: ["accepted", "declined"],
  accepted: ["closed"],
  declined: [],
  closed: [],
};

export function assertReferralTransition(from: ReferralStatus, to: ReferralStatus): void {
  if (from === to) throw new SafeguardingRuleError("status", `The referral is already ${REFERRAL_STATUSES[to].toLowerCase()}`);
  if (!REFERRAL_TRANSITIONS[from].includes(to)) {
    const allowed = REFERRAL_TRANSITIONS[from].map((s) => REFERRAL_STATUSES[s].toLowerCase());
    throw new SafeguardingRuleError(
      "status",
      allowed.length
        ? `A ${REFERRAL_STATUSES[from].toLowerCase()} referral can only be ${allowed.join(" or ")}`
        : `The referral is ${REFERRAL_STATUSES[from].toLowerCase()}: nothing more can change on it`,
    );
  }
}

/** Updates are posted once the agency has accepted the referral, until it closes. */
export function canPostUpdate(status: ReferralStatus): boolean {
  return status === "accepted";
}

export function isOpenReferral(status: ReferralStatus): boolean {
  return status === "sent" || status === "accepted";
}

export const DECLINE_REASONS = {
  "outside-criteria": "The person does not meet the service's criteria",
  "outside-area": "The person lives outside the area the service covers",
  "no-capacity": "The service has no capacity at present",
  "already-supported": "The service already supports the person",
} as const;

/** Outcomes an agency records when it closes a referral. */
export const REFERRAL_OUTCOMES = {
  "support-in-place": "Support in place",
  "housed": "Housed, or safe accommodation found",
  "in-treatment": "In drug or alcohol treatment",
  "exited": "Left sex work with the exit service's support",
  "enquiry-completed": "Adult safeguarding enquiry (s.42) completed",
  "declined-support": "The person chose not to take up support",
  "lost-contact": "Lost contact",
  "moved-on": "Moved on to another service or area",
} as const;
export type ReferralOutcome = keyof typeof REFERRAL_OUTCOMES;

/** Justifications a safeguarding lead may give for reading or changing a case. */
export const CASE_REASON_CODES = ["safeguarding", "partner-referral", "subject-access"] as const;
export type CaseReasonCode = (typeof CASE_REASON_CODES)[number];

/**
 * A reason's reference is a case, incident or referral number: it must hold a digit, so a
 * person's name cannot be written into the audit log in its place.
 */
export function isReasonReference(reference: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9/\- ]{1,39}$/.test(reference) && /\d/.test(reference);
}

export function caseReference(id: number): string {
  return `SG-${String(id).padStart(6, "0")}`;
}

export function referralReference(id: number): string {
  return `RF-${String(id).padStart(6, "0")}`;
}
