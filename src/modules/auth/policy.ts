// The one place that answers "may this user do this?". Routes name a permission in their
// config; the access hook asks here. Reading the audit log belongs to the auditor alone.

export const STAFF_ROLES = [
  "officer",
  "operation-lead",
  "analyst",
  "safeguarding-lead",
  "partner-worker",
  "administrator",
  "auditor",
] as const;
export type Role = (typeof STAFF_ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  officer: "Officer or PCSO",
  "operation-lead": "Operation lead",
  analyst: "Analyst",
  "safeguarding-lead": "Safeguarding lead",
  "partner-worker": "Partner agency worker",
  administrator: "Administrator",
  auditor: "Auditor",
};

export const PERMISSIONS = {
  /** See and work the triage queue, grade and move reports. */
  "reports:triage": ["officer", "operation-lead"],
  /** Write a "you said, we did" update. */
  "updates:publish": ["officer", "operation-lead"],
  /** See the vehicle register and record a vehicle sighting. */
  "vehicles:record": ["officer", "operation-lead"],
  /** Enter and read a registered keeper's details, download and send a warning letter. */
  "vehicles:keeper": ["officer", "operation-lead"],
  /** Approve a warning letter (an inspector). */
  "vehicles:approve": ["operation-lead"],
  /** Open and work pseudonymous safeguarding cases, and refer people to partner agencies. */
  "safeguarding:cases": ["safeguarding-lead"],
  /** See, accept or decline and update the referrals made to the worker's own agency. */
  "partners:referrals": ["partner-worker"],
  /** Create partner agencies, record information-sharing agreements, attach partner workers. */
  "partners:manage": ["administrator"],
  /** Forecast demand, plan the operation's hours against it, and see its budget (staff-only: it shows when patrols will be thin). */
  "planner:use": ["operation-lead", "analyst"],
  /** Log patrols, engagements and enforcement actions. */
  "activity:log": ["officer", "operation-lead"],
  /** Record an inspector's s.34 dispersal authorisation. */
  "dispersal:authorise": ["operation-lead"],
  /** Create and edit operations: areas, objectives, plan. */
  "operations:manage": ["operation-lead"],
  /** See an operation's activity against its plan. */
  "operations:read": ["operation-lead", "analyst"],
  /** Import police.uk street-level crime and outcomes files. */
  "imports:run": ["analyst"],
  /** Run and read an operation's evaluation ("is it working?"). */
  "evaluation:read": ["analyst", "operation-lead"],
  /** Manage staff accounts and partner agencies. */
  "users:manage": ["administrator"],
  /** Read the audit log. */
  "audit:read": ["auditor"],
  /** Register the apps that post reports through Open311, and revoke their keys. */
  "clients:manage": ["administrator"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** How a route is reached: by anyone, by any signed-in member of staff, or with a permission. */
export type Access =
  | { kind: "public" }
  | { kind: "signed-in" }
  | { kind: "permission"; permission: Permission; record?: boolean };

export const access = {
  public: { kind: "public" } as Access,
  signedIn: { kind: "signed-in" } as Access,
  to: (permission: Permission, options: { record?: boolean } = {}): Access => ({ kind: "permission", permission, ...options }),
};

export function isRole(value: string): value is Role {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

export function can(role: Role | null, permission: Permission): boolean {
  return role !== null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles whose accounts must use a second factor: they reach safeguarding data, users or the audit log. */
export const SECOND_FACTOR_ROLES: readonly Role[] = ["safeguarding-lead", "partner-worker", "administrator", "auditor"];
