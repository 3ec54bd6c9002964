// The life of a report, as officers move it: the rules, with no storage or HTTP.

export const STATUSES = ["received", "triaged", "in_progress", "closed"] as const;
export type ReportStatus = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<ReportStatus, string> = {
  received: "Received",
  triaged: "Triaged",
  in_progress: "In progress",
  closed: "Closed",
};

/** Call grading, with the attendance each grade promises (minutes; null: no attendance time). */
export const GRADES = {
  emergency: { label: "Emergency", attendMinutes: { urban: 15, rural: 20 } },
  priority: { label: "Priority", attendMinutes: { urban: 60, rural: 60 } },
  scheduled: { label: "Scheduled", attendMinutes: null },
  resolved: { label: "Resolved without deployment", attendMinutes: null },
} as const;
export type Grade = keyof typeof GRADES;
export const GRADE_CODES = Object.keys(GRADES) as Grade[];

/** THRIVE: a recorded judgement with reasons under each heading, never a score. */
export const THRIVE_HEADINGS = {
  threat: "Threat",
  harm: "Harm",
  risk: "Risk",
  investigation: "Investigation",
  vulnerability: "Vulnerability",
  engagement: "Engagement",
} as const;
export type ThriveHeading = keyof typeof THRIVE_HEADINGS;
export type Thrive = Record<ThriveHeading, string>;
export const THRIVE_KEYS = Object.keys(THRIVE_HEADINGS) as ThriveHeading[];

/** Outcomes a closed report can have, in words a resident understands. */
export const OUTCOMES = {
  "action-taken": "Officers took action",
  "recorded-as-crime": "Recorded as a crime and investigated",
  "passed-to-partner": "Passed to a partner agency or the council",
  "cleared": "Cleared up (litter or needles removed)",
  "no-further-action": "Looked into; no further action possible",
  "insufficient-information": "Not enough information to act on",
  "duplicate": "Already reported by someone else",
} as const;
export type Outcome = keyof typeof OUTCOMES;
export const OUTCOME_CODES = Object.keys(OUTCOMES) as Outcome[];

const TRANSITIONS: Record<ReportStatus, ReportStatus[]> = {
  received: ["triaged"],
  triaged: ["in_progress", "closed"],
  in_progress: ["closed"],
  closed: ["in_progress"],
};

/** A resident may add information or reopen for this long after closure. */
export const REOPEN_WINDOW_DAYS = 28;

export class TransitionError extends Error {}

export interface TransitionInput {
  from: ReportStatus;
  to: ReportStatus;
  hasGrade: boolean;
  outcome?: string | null;
}

/** Throws with a message an officer can act on when a move is not allowed. */
export function assertTransition({ from, to, hasGrade, outcome }: TransitionInput): void {
  if (from === to) throw new TransitionError(`The report is already ${STATUS_LABELS[to].toLowerCase()}`);
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from].map((s) => STATUS_LABELS[s].toLowerCase()).join(" or ");
    throw new TransitionError(`A ${STATUS_LABELS[from].toLowerCase()} report can only move to ${allowed}`);
  }
  if (to !== "triaged" && from === "received") throw new TransitionError("Grade the report before moving it on");
  if ((to === "in_progress" || to === "closed") && !hasGrade) throw new TransitionError("Grade the report before moving it on");
  if (to === "closed" && !(outcome && outcome in OUTCOMES)) throw new TransitionError("Choose an outcome to close the report");
}

export function canResidentReopen(status: ReportStatus, closedAt: string | null, now: Date = new Date()): boolean {
  if (status !== "closed" || !closedAt) return false;
  const closed = new Date(closedAt).getTime();
  return now.getTime() - closed <= REOPEN_WINDOW_DAYS * 24 * 60 * 60 * 1000;
}

/** When the officer attending an emergency or priority grade must arrive by. */
export function attendBy(grade: Grade, gradedAt: Date, setting: "urban" | "rural" = "urban"): Date | null {
  const minutes = GRADES[grade].attendMinutes?.[setting];
  return minutes ? new Date(gradedAt.getTime() + minutes * 60_000) : null;
}
