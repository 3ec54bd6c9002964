// Police activity in the operation: the rules an officer's log must obey before it is saved.
// Principle 1: enforcement against people selling sex is reported apart from the rest and is
// never counted as the operation's success.

export const TARGET_GROUPS = {
  buyer: "Buyer (kerb crawler)",
  seller: "Person selling sex",
  dealer: "Drug dealer",
  other: "Someone else",
} as const;
export type TargetGroup = keyof typeof TARGET_GROUPS;

export const ENFORCEMENT_ACTIONS = {
  "kerb-crawler-stop": { label: "Kerb-crawler stop", needs: null },
  "community-protection-warning": { label: "Community Protection Warning (written)", needs: null },
  "community-protection-notice": { label: "Community Protection Notice", needs: "community-protection-warning" },
  "warning-letter": { label: "Warning letter", needs: null },
  arrest: { label: "Arrest", needs: null },
  "dispersal-direction": { label: "Dispersal direction (s.35)", needs: "s34-authorisation" },
  "drug-seizure": { label: "Drug seizure", needs: null },
  "closure-notice": { label: "Closure notice (police)", needs: null },
  "closure-order": { label: "Closure order (court)", needs: "closure-notice" },
} as const;
export type EnforcementAction = keyof typeof ENFORCEMENT_ACTIONS;

/** Offences named in enforcement records, with the Act that makes them offences. */
export const OFFENCES = {
  "kerb-crawling": "Soliciting for sexual services (Sexual Offences Act 2003, s.51A)",
  "paying-exploited": "Paying for sexual services of a person subjected to force (Sexual Offences Act 2003, s.53A)",
  "loitering-soliciting": "Loitering or soliciting for prostitution (Street Offences Act 1959, s.1)",
  "controlling-prostitution": "Causing, inciting or controlling prostitution for gain (Sexual Offences Act 2003, ss.52–53)",
  "possession-with-intent": "Possession with intent to supply a controlled drug (Misuse of Drugs Act 1971, s.5(3))",
  "supply": "Supplying a controlled drug (Misuse of Drugs Act 1971, s.4(3))",
  "possession": "Possession of a controlled drug (Misuse of Drugs Act 1971, s.5(2))",
  "cpn-breach": "Failing to comply with a Community Protection Notice (ASB, Crime and Policing Act 2014, s.48)",
  "dispersal-breach": "Failing to comply with a dispersal direction (ASB, Crime and Policing Act 2014, s.39)",
  "anti-social-behaviour": "Anti-social behaviour (ASB, Crime and Policing Act 2014, Part 4)",
  "public-order": "Public order offence (Public Order Act 1986)",
  "other": "Other offence",
} as const;
export type Offence = keyof typeof OFFENCES;

export const ENGAGEMENT_KINDS = {
  "welfare-check": "Welfare check",
  "advice-given": "Advice given",
  "referral-offered": "Referral to support offered",
} as const;
export type EngagementKind = keyof typeof ENGAGEMENT_KINDS;

/** A dispersal authorisation under s.34 lasts at most 48 hours. */
export const MAX_DISPERSAL_HOURS = 48;

export interface PriorAction {
  id: number;
  action: string;
  occurredAt: string;
}

export interface Authorisation {
  id: number;
  areaRole: string;
  startsAt: string;
  endsAt: string;
}

export type EnforcementCheck = { ok: true; priorActionId: number | null; authorisationId: number | null } | { ok: false; field: string; message: string };

/**
 * Checks the preconditions the law sets: a Community Protection Notice needs an earlier
 * written warning to the same person; a closure order needs a closure notice for the same
 * premises; a dispersal direction needs an inspector's s.34 authorisation covering the place
 * and time.
 */
export function checkEnforcement(input: {
  action: EnforcementAction;
  occurredAt: string;
  areaRole: string | null;
  hasSubject: boolean;
  priorActionsForSubject: PriorAction[];
  authorisations: Authorisation[];
}): EnforcementCheck {
  const needs = ENFORCEMENT_ACTIONS[input.action].needs;
  if (needs === "community-protection-warning" || needs === "closure-notice") {
    const what = needs === "community-protection-warning" ? "person" : "premises";
    if (!input.hasSubject) return { ok: false, field: "subjectReference", message: `Give the ${what} reference used on the earlier ${needs === "community-protection-warning" ? "written warning" : "closure notice"}` };
    const prior = input.priorActionsForSubject
      .filter((p) => p.action === needs && p.occurredAt < input.occurredAt)
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))[0];
    if (!prior) {
      return needs === "community-protection-warning"
        ? { ok: false, field: "action", message: "A Community Protection Notice needs a written Community Protection Warning to the same person first. Record the warning, or give the reference it was recorded under." }
        : { ok: false, field: "action", message: "A closure order needs a closure notice for the same premises first. Record the closure notice, or give the premises reference it was recorded under." };
    }
    return { ok: true, priorActionId: prior.id, authorisationId: null };
  }
  if (needs === "s34-authorisation") {
    const covering = input.authorisations.find(
      (a) => a.startsAt <= input.occurredAt && input.occurredAt <= a.endsAt && (input.areaRole === null || a.areaRole === input.areaRole),
    );
    if (!covering || input.areaRole === null) {
      return { ok: false, field: "action", message: "A dispersal direction needs an inspector's s.34 authorisation for this area covering this time. Ask the operation lead to record one first." };
    }
    return { ok: true, priorActionId: null, authorisationId: covering.id };
  }
  return { ok: true, priorActionId: null, authorisationId: null };
}

export function patrolHours(startedAt: string, endedAt: string | null, now: Date = new Date()): number {
  const end = endedAt ? new Date(endedAt).getTime() : now.getTime();
  return Math.max(0, (end - new Date(startedAt).getTime()) / 3_600_000);
}

/** Monday 00:00 UTC of the week an instant falls in, as YYYY-MM-DD. */
export function weekStart(iso: string): string {
  const date = new Date(iso);
  const day = (date.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day)).toISOString().slice(0, 10);
}

/**
 * Splits patrol hours across the Monday-starting weeks they fall in, so a patrol over a
 * Sunday midnight counts in both weeks.
 */
export function hoursByWeek(patrols: Array<{ startedAt: string; endedAt: string | null }>, now: Date = new Date()): Map<string, number> {
  const weeks = new Map<string, number>();
  for (const patrol of patrols) {
    let cursor = new Date(patrol.startedAt).getTime();
    const end = patrol.endedAt ? new Date(patrol.endedAt).getTime() : now.getTime();
    while (cursor < end) {
      const week = weekStart(new Date(cursor).toISOString());
      const next = Math.min(end, new Date(`${week}T00:00:00Z`).getTime() + 7 * 86_400_000);
      weeks.set(week, (weeks.get(week) ?? 0) + (next - cursor) / 3_600_000);
      cursor = next;
    }
  }
  return weeks;
}
