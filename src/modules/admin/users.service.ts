// The administrator's use cases for staff accounts. Every action is written to the audit log
// with the administrator who did it. Issuing credentials (creating an account, resetting its
// password or second factor) marks the account with that event, and every later audit event of
// the account names it: whoever issued them could be the one signing in (AuditService.record).
// The auditor is kept apart from administrators: making an auditor, or resetting an auditor's
// sign-in, waits for a second administrator, or is done at the command line.
import { AppError, errors, type FieldProblem } from "../../http/errors.ts";
import { can, isRole, ROLE_NAMES, SECOND_FACTOR_ROLES, type Role } from "../auth/policy.ts";
import { newOneTimePassword } from "../auth/passwords.ts";
import { EMAIL_PATTERN, type AuthService, type StaffUser } from "../auth/auth.service.ts";
import type { UserRow, UsersRepository } from "../auth/users.repository.ts";
import type { AuditOperation, AuditService } from "../audit/audit.service.ts";
import type { ApprovalRow, ApprovalsRepository } from "./approvals.repository.ts";

type Administrator = Pick<StaffUser, "id" | "role">;

export interface NewAccount {
  email: string;
  name: string;
  role: string;
}

export interface AccountSummary {
  id: number;
  name: string;
  email: string;
  role: string;
  roleName: string;
  twoFactor: boolean;
  disabled: boolean;
}

export interface ApprovalView {
  id: number;
  description: string;
  requestedBy: string;
  requestedAt: string;
  /** Asked for by the administrator looking: they cannot approve it. */
  mine: boolean;
}

/** What an action did, or that it waits for a second administrator. */
export type Outcome =
  | { kind: "done"; message: string; userId?: number; oneTimePassword?: string }
  | { kind: "created"; id: number; email: string; password: string; twoFactor: boolean }
  | { kind: "waiting"; approval: ApprovalView };

/** What only a second administrator may let happen: each gives someone the auditor's reach. */
type ApprovalAction = "create" | "role" | "reset-password" | "reset-two-factor";

const NAME_LIMIT = 100;

function invalid(field: string, message: string): AppError {
  return errors.invalid([{ field, message }], message);
}

function summary(row: UserRow): AccountSummary {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    roleName: isRole(row.role) ? ROLE_NAMES[row.role] : row.role,
    twoFactor: Boolean(row.totpSecret),
    disabled: Boolean(row.disabledAt),
  };
}

/** The form's answers, or the problems with them. */
function checkNewAccount(input: NewAccount): NewAccount & { role: Role } {
  const values = { email: input.email.trim(), name: input.name.trim(), role: input.role };
  const problems: FieldProblem[] = [];
  if (!EMAIL_PATTERN.test(values.email)) problems.push({ field: "email", message: "Enter an email address in the correct format, like name@example.police.uk" });
  if (!values.name) problems.push({ field: "name", message: "Enter the person's name" });
  else if (values.name.length > NAME_LIMIT) problems.push({ field: "name", message: `Keep the name to ${NAME_LIMIT} characters or fewer` });
  if (!isRole(values.role)) problems.push({ field: "role", message: "Choose a role" });
  if (problems.length) throw errors.invalid(problems);
  return values as NewAccount & { role: Role };
}

export class StaffAccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly approvals: ApprovalsRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  private authorise(administrator: Administrator): void {
    if (!can(administrator.role, "users:manage")) throw errors.forbidden();
  }

  /** One event about one account (or approval); null is the command line. */
  private record(actor: Administrator | null, operation: AuditOperation, recordType: string, id: number): Promise<number> {
    return this.audit.record({ actor: actor && { id: actor.id, role: actor.role }, operation, recordType, recordIds: [id] });
  }

  /** Marks the account's credentials as issued in `eventId`: what is done on them from now on names it. */
  private async issued(userId: number, eventId: number): Promise<void> {
    await this.users.update(userId, { credentialsEventId: eventId });
  }

  private async accountOrNotFound(id: number): Promise<UserRow> {
    const row = Number.isSafeInteger(id) && id > 0 ? await this.users.findById(id) : undefined;
    if (!row) throw errors.notFound("account");
    return row;
  }

  async list(administrator: Administrator): Promise<{ accounts: AccountSummary[]; approvals: ApprovalView[] }> {
    this.authorise(administrator);
    const rows = await this.users.list();
    return { accounts: rows.map(summary), approvals: this.present(await this.approvals.waiting(), rows, administrator) };
  }

  async account(administrator: Administrator, id: number): Promise<AccountSummary> {
    this.authorise(administrator);
    return summary(await this.accountOrNotFound(id));
  }

  async create(administrator: Administrator, input: NewAccount): Promise<Outcome> {
    this.authorise(administrator);
    const values = checkNewAccount(input);
    if (values.role === "auditor") return this.askApproval(administrator, { action: "create", userId: null, email: values.email.toLowerCase(), name: values.name, role: values.role });
    return this.createAccount(administrator, values);
  }

  /** `openbeat users add`: whoever runs the command line holds the server, so no second administrator is asked. */
  async createAtCommandLine(input: NewAccount): Promise<{ id: number; email: string; password: string }> {
    const created = await this.createAccount(null, input);
    return { id: created.id, email: created.email, password: created.password };
  }

  private async createAccount(actor: Administrator | null, values: NewAccount): Promise<Extract<Outcome, { kind: "created" }>> {
    const { id, password } = await this.auth.addUser(values);
    await this.issued(id, await this.record(actor, "collection", "staff-account", id));
    const row = await this.accountOrNotFound(id);
    return { kind: "created", id, email: row.email, password, twoFactor: SECOND_FACTOR_ROLES.includes(row.role as Role) };
  }

  /** One of the account page's actions. */
  async act(administrator: Administrator, id: number, action: string, fields: { role?: string } = {}): Promise<Outcome> {
    this.authorise(administrator);
    const account = await this.accountOrNotFound(id);
    const self = administrator.id === account.id;
    switch (action) {
      case "role": {
        const role = fields.role ?? "";
        if (!isRole(role)) throw invalid("role", "Choose a role");
        if (self) throw invalid("role", "Ask another administrator to change your own role");
        if (role === "auditor" && account.role !== "auditor") return this.askApproval(administrator, { action: "role", userId: account.id, email: null, name: null, role });
        return this.changeRole(administrator, account.id, role);
      }
      case "disable":
        if (self) throw invalid("action", "You cannot disable your own account");
        await this.users.update(account.id, { disabledAt: new Date().toISOString() });
        await this.auth.signOutEverywhere(account.id);
        await this.record(administrator, "alteration", "staff-account-disabled", account.id);
        return { kind: "done", userId: account.id, message: "Account disabled and signed out everywhere." };
      case "enable":
        await this.users.update(account.id, { disabledAt: null });
        await this.record(administrator, "alteration", "staff-account-enabled", account.id);
        return { kind: "done", userId: account.id, message: "Account enabled." };
      case "sign-out": {
        const ended = await this.auth.signOutEverywhere(account.id);
        await this.record(administrator, "alteration", "staff-account-sessions", account.id);
        return { kind: "done", userId: account.id, message: `Signed out of ${ended} session${ended === 1 ? "" : "s"}, and every personal access token revoked.` };
      }
      case "reset-two-factor":
      case "reset-password":
        if (self) throw invalid("action", "Ask another administrator to reset your own sign-in");
        if (account.role === "auditor") return this.askApproval(administrator, { action, userId: account.id, email: null, name: null, role: null });
        return action === "reset-password" ? this.resetPassword(administrator, account.id) : this.resetTwoFactor(administrator, account.id);
      default:
        throw invalid("action", "Choose what to do");
    }
  }

  private async changeRole(administrator: Administrator, userId: number, role: Role): Promise<Outcome> {
    await this.users.update(userId, { role });
    // A new role means new permissions: nothing may run on in the old sessions or tokens.
    await this.auth.signOutEverywhere(userId);
    await this.record(administrator, "alteration", "staff-account-role", userId);
    return { kind: "done", userId, message: "Role changed. The person must sign in again." };
  }

  private async resetTwoFactor(administrator: Administrator, userId: number): Promise<Outcome> {
    await this.auth.resetTwoFactor(userId);
    await this.issued(userId, await this.record(administrator, "alteration", "staff-account-second-factor", userId));
    return { kind: "done", userId, message: "Two-factor sign-in reset. The person sets up their app again at next sign-in." };
  }

  /** A one-time password the holder must replace at sign-in; the second factor, if set up, stays theirs. */
  private async resetPassword(administrator: Administrator, userId: number): Promise<Outcome> {
    const password = newOneTimePassword();
    await this.auth.setPassword(userId, password, true);
    await this.auth.signOutEverywhere(userId);
    await this.issued(userId, await this.record(administrator, "alteration", "staff-account-password", userId));
    return { kind: "done", userId, oneTimePassword: password, message: "Password reset. Give the person this one-time password securely; they must change it at sign-in." };
  }

  private async askApproval(administrator: Administrator, request: Pick<ApprovalRow, "userId" | "email" | "name" | "role"> & { action: ApprovalAction }): Promise<Outcome> {
    const id = await this.approvals.create({ ...request, requestedBy: administrator.id, requestedAt: new Date().toISOString() });
    await this.record(administrator, "collection", "staff-account-approval", id);
    const [approval] = this.present([(await this.approvals.find(id))!], await this.users.list(), administrator);
    return { kind: "waiting", approval: approval! };
  }

  /** A second administrator approves or declines a request; what it asked for is then done by them. */
  async decide(administrator: Administrator, approvalId: number, decision: string): Promise<Outcome> {
    this.authorise(administrator);
    if (decision !== "approve" && decision !== "decline") throw invalid("decision", "Choose whether to approve or decline the request");
    const request = Number.isSafeInteger(approvalId) && approvalId > 0 ? await this.approvals.find(approvalId) : undefined;
    if (!request) throw errors.notFound("request");
    if (request.decision) throw errors.conflict("This request has already been decided.");
    if (request.requestedBy === administrator.id) throw new AppError("forbidden", 403, "Another administrator must approve a request you made.");
    if (decision === "approve" && (await this.credentialsIssuer(administrator.id)) === request.requestedBy) {
      // Else one administrator could reset another's sign-in, take it over, and approve their own request.
      throw new AppError("forbidden", 403, "Your own sign-in was last set up by the administrator who made this request, so another administrator must approve it.");
    }
    if (!(await this.approvals.decide(request.id, decision === "approve" ? "approved" : "declined", administrator.id, new Date().toISOString()))) {
      throw errors.conflict("This request has already been decided.");
    }
    await this.record(administrator, "alteration", "staff-account-approval", request.id);
    if (decision === "decline") return { kind: "done", message: "Request declined. Nothing was changed." };
    try {
      return await this.carryOut(administrator, request);
    } catch (error) {
      await this.approvals.reopen(request.id);
      throw error;
    }
  }

  private async carryOut(administrator: Administrator, request: ApprovalRow): Promise<Outcome> {
    if (request.action === "create") return this.createAccount(administrator, { email: request.email!, name: request.name!, role: request.role! });
    const account = await this.accountOrNotFound(request.userId ?? 0);
    if (request.action === "role") return this.changeRole(administrator, account.id, request.role as Role);
    return request.action === "reset-password" ? this.resetPassword(administrator, account.id) : this.resetTwoFactor(administrator, account.id);
  }

  /** Who issued the credentials a member of staff signs in with: null for the command line, or none. */
  private async credentialsIssuer(userId: number): Promise<number | null> {
    const eventId = (await this.users.findById(userId))?.credentialsEventId ?? null;
    return (await this.audit.issuances([eventId])).get(eventId ?? 0)?.actorId ?? null;
  }

  private present(requests: ApprovalRow[], accounts: UserRow[], administrator: Administrator): ApprovalView[] {
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const who = (id: number | null) => {
      const account = id === null ? undefined : byId.get(id);
      return account ? `${account.name} (${account.email})` : "an account since removed";
    };
    const describe = (request: ApprovalRow): string => {
      switch (request.action) {
        case "create":
          return `Create an auditor account for ${request.name} (${request.email})`;
        case "role":
          return `Give ${who(request.userId)} the auditor role`;
        case "reset-password":
          return `Reset the password of ${who(request.userId)}, an auditor`;
        default:
          return `Reset the two-factor sign-in of ${who(request.userId)}, an auditor`;
      }
    };
    return requests.map((request) => ({
      id: request.id,
      description: describe(request),
      requestedBy: byId.get(request.requestedBy)?.name ?? "an administrator",
      requestedAt: request.requestedAt,
      mine: request.requestedBy === administrator.id,
    }));
  }
}
