// Each role's home page: the work waiting for them, first, then what the role can do. It reads
// through the services that own the work (no queries of its own), and only counts where a list
// would be a consultation of personal data (safeguarding cases are counted, never listed here).
import { can, type Role } from "../auth/policy.ts";
import type { StaffUser } from "../auth/auth.service.ts";
import type { ActivityService } from "../activity/activity.service.ts";
import type { OperationsService } from "../operations/operations.service.ts";
import type { PartnersService } from "../partners/partners.service.ts";
import type { SafeguardingService } from "../safeguarding/safeguarding.service.ts";
import type { TriageService } from "../triage/triage.service.ts";
import type { VehiclesService } from "../vehicles/vehicles.service.ts";

/** One thing waiting, with where to do it. */
export interface WorkItem {
  text: string;
  href: string;
  /** How many are waiting; 0 is said in words ("none"). */
  count: number | null;
  /** The thing to do first: shown as the page's main button. */
  primary?: boolean;
}

/** What each role is for, in a sentence, and the places it works. */
const ABOUT: Record<Role, { summary: string; links: Array<{ text: string; href: string }> }> = {
  officer: {
    summary: "Grade residents' reports, log patrols, engagements and enforcement from your phone, and record vehicles seen.",
    links: [
      { text: "Residents' reports: the triage queue", href: "/staff/reports" },
      { text: "On patrol", href: "/staff/activity" },
      { text: "The vehicle register", href: "/staff/vehicles" },
      { text: "Write a public update", href: "/staff/updates/new" },
    ],
  },
  "operation-lead": {
    summary: "Run the operation: its areas and plan, hours against plan and budget, warning letters to approve, and the public dashboard.",
    links: [
      { text: "Operations", href: "/staff/operations" },
      { text: "Residents' reports: the triage queue", href: "/staff/reports" },
      { text: "The vehicle register", href: "/staff/vehicles" },
      { text: "The planner: hours left against demand", href: "/staff/planner" },
      { text: "Is it working? The evaluation", href: "/staff/evaluation" },
    ],
  },
  analyst: {
    summary: "Import police.uk data, run the evaluation, and plan hours against forecast demand.",
    links: [
      { text: "Import police.uk data", href: "/staff/imports" },
      { text: "Is it working? The evaluation", href: "/staff/evaluation" },
      { text: "The planner", href: "/staff/planner" },
    ],
  },
  "safeguarding-lead": {
    summary: "Keep pseudonymous safeguarding cases, open the urgent path when someone may be under 18 or trafficked, and refer to partner agencies with consent.",
    links: [
      { text: "Safeguarding cases", href: "/safeguarding" },
      { text: "Open a case", href: "/safeguarding/cases/new" },
    ],
  },
  "partner-worker": {
    summary: "Answer the referrals sent to your agency, and tell the safeguarding lead what happened.",
    links: [{ text: "Referrals to your agency", href: "/partner/referrals" }],
  },
  administrator: {
    summary: "Staff accounts and their roles, partner agencies and their agreements, and the keys other apps use.",
    links: [
      { text: "Staff accounts", href: "/staff/users" },
      { text: "Partner agencies", href: "/staff/partners" },
      { text: "Apps using Open311", href: "/staff/api-clients" },
    ],
  },
  auditor: {
    summary: "Read the audit log of every access to personal data, and check that it has not been changed.",
    links: [{ text: "The audit log", href: "/staff/audit" }],
  },
};

export class StaffHomeService {
  constructor(
    private readonly triage: TriageService,
    private readonly activity: ActivityService,
    private readonly vehicles: VehiclesService,
    private readonly operations: OperationsService,
    private readonly safeguarding: SafeguardingService,
    private readonly partners: PartnersService,
  ) {}

  async homeFor(user: StaffUser, now: Date = new Date()): Promise<{ work: WorkItem[]; about: (typeof ABOUT)[Role] }> {
    const work: WorkItem[] = [];
    if (can(user.role, "activity:log")) {
      const patrol = await this.activity.currentPatrol(user);
      work.push(patrol ? { text: "Your patrol is running: log what you do", href: "/staff/activity", count: null, primary: true } : { text: "Start a patrol", href: "/staff/patrols/new", count: null, primary: true });
    }
    if (can(user.role, "reports:triage")) {
      const { total } = await this.triage.queue({ status: "received", limit: 1, offset: 0 });
      work.push({ text: "Reports waiting to be graded", href: "/staff/reports?status=received", count: total });
    }
    if (can(user.role, "vehicles:approve")) {
      const register = await this.vehicles.register(now);
      work.push({ text: "Warning letters waiting for your approval", href: "/staff/vehicles", count: register.filter((v) => v.status === "proposed").length });
      work.push({ text: "Vehicles seen again after a letter", href: "/staff/vehicles", count: register.filter((v) => v.status === "escalated").length });
    }
    if (can(user.role, "operations:manage")) {
      for (const operation of await this.operations.listActive(now)) {
        const { rows } = await this.activity.againstPlan(operation.id, 1, now);
        const week = rows[0]!;
        work.push({ text: `${operation.name}: ${week.deliveredHours} of ${week.plannedHours} patrol hours planned this week`, href: `/staff/operations/${operation.id}/activity`, count: null });
      }
    }
    if (can(user.role, "safeguarding:cases")) {
      const { cases, urgent } = await this.safeguarding.openCaseCounts();
      work.push({ text: "Open cases with an urgent duty still to do", href: "/safeguarding", count: urgent, primary: urgent > 0 });
      work.push({ text: "Open cases", href: "/safeguarding", count: cases });
    }
    if (can(user.role, "partners:referrals")) {
      const { referrals } = await this.partners.referralsFor(user);
      work.push({ text: "Referrals waiting for your agency's answer", href: "/partner/referrals", count: referrals.filter((r) => r.status === "sent").length, primary: true });
    }
    return { work, about: ABOUT[user.role] };
  }
}
