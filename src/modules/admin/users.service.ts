// The administrator's use cases for staff accounts. Every action is written to the audit log
// with the administrator who did it. Issuing credentials (creating an account, resetting its
// password or second factor) marks the account with that event, and every later audit event of
// the account names it: whoever issued them could be the one signing in (AuditService.record).
import { errors, type AppError, type FieldProblem } from "../../http/errors.ts";
import { can, isRole, ROLE_NAMES, SECOND_FACTOR_ROLES, type Role } from "../auth/policy.ts";
import { newOneTimePassword } from "../auth/passwords.ts";
import { EMAIL_PATTERN, type AuthService, type StaffUser } from "../auth/auth.service.ts";
import type { UserRow, UsersRepository } from "../auth/users.repository.ts";
import type { AuditOperation, AuditService } from "../audit/audit.service.ts";

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

/** What an action did. */
export type Outcome =
  | { kind: "done"; message: string; userId: number; oneTimePassword?: string }
  | { kind: "created"; id: number; email: string; password: string; twoFactor: boolean };

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

  async list(administrator: Administrator): Promise<{ accounts: AccountSummary[] }> {
    this.authorise(administrator);
    return { accounts: (await this.users.list()).map(summary) };
  }

  async account(administrator: Administrator, id: number): Promise<AccountSummary> {
    this.authorise(administrator);
    return summary(await this.accountOrNotFound(id));
  }

  async create(administrator: Administrator, input: NewAccount): Promise<Outcome> {
    this.authorise(administrator);
    return this.createAccount(administrator, checkNewAccount(input));
  }

  /** `openbeat users add`: the account is logged as made at the command line. */
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
}
