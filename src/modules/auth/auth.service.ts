// Staff sign-in and sessions. Sessions live in the database (any instance can serve any
// request, and revoking is immediate); the cookie carries a random token whose hash is the id.
import crypto from "node:crypto";
import { isUniqueViolation } from "../../db/database.ts";
import { AppError, errors } from "../../http/errors.ts";
import { hashPassword, newOneTimePassword, passwordProblem, verifyPassword } from "./passwords.ts";
import { isRole, SECOND_FACTOR_ROLES, type Role } from "./policy.ts";
import { matchingStep, newTotpSecret, openSecret, provisioningUri, sealSecret } from "./two-factor.ts";
import type { SessionsRepository } from "./sessions.repository.ts";
import type { TokensRepository } from "../tokens/tokens.repository.ts";
import type { FailureCount, Limit, RateLimitsService, Slowdown } from "../rate-limits/rate-limits.service.ts";
import type { UserRow, UsersRepository } from "./users.repository.ts";
import type { AuditService } from "../audit/audit.service.ts";

export const SESSION_IDLE_MINUTES = 60;
export const SESSION_LIFETIME_HOURS = 12;
// Sign-in failures for one email, known or not, slow its next checks down (see signIn).
const SIGN_IN_FAILURES = { name: "sign-in-email", freeFailures: 5, windowSeconds: 900, refusal: "Too many attempts to sign in with this email address" };
/** A browser that signed in before waits like any other once it has failed this often itself. */
const DEVICE_FAILURES: FailureCount = { name: "sign-in-device", windowSeconds: 900 };
const DEVICE_FREE_FAILURES = 3;
// Sign-in codes are six digits: whoever has the password may guess them only so often, however
// many addresses and sessions they spread the guesses over.
const CODE_TRIES_PER_SESSION: Limit = { name: "second-factor-session", max: 5, windowSeconds: 900, refusal: "Too many codes have been tried in this sign-in" };
const CODE_TRIES_PER_ACCOUNT: Limit = { name: "second-factor-account", max: 10, windowSeconds: 900, refusal: "Too many codes have been tried for this account" };
export const EMAIL_TAKEN = "An account with that email already exists";
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface StaffUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  partnerAgencyId: number | null;
  twoFactorEnabled: boolean;
  /** The role must sign in with a second factor, so it must set one up before anything else. */
  twoFactorRequired: boolean;
}

export interface ResolvedSession {
  user: StaffUser;
  sessionId: string;
  /** False until a user with two-factor sign-in has entered a code in this session. */
  secondFactorDone: boolean;
}

export type SignInResult = { ok: true; token: string; user: StaffUser; device: string } | { ok: false };

function presentUser(row: UserRow): StaffUser {
  if (!isRole(row.role)) throw new Error(`User ${row.id} has an unknown role`);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    mustChangePassword: Boolean(row.mustChangePassword),
    partnerAgencyId: row.partnerAgencyId,
    twoFactorEnabled: Boolean(row.totpSecret),
    twoFactorRequired: SECOND_FACTOR_ROLES.includes(row.role),
  };
}

function sessionId(token: string): string {
  return crypto.createHash("sha256").update(token).digest("base64url");
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class AuthService {
  #dummyHash: Promise<string> | null = null;
  private readonly slowdown: Slowdown;

  /** `slowdownMs`: the first wait once an email has had five failed sign-ins (a second unless tests shorten it). */
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokensRepository,
    private readonly rateLimits: RateLimitsService,
    private readonly audit: AuditService,
    private readonly keys: { totp: Buffer; devices: Buffer },
    slowdownMs = 1000,
  ) {
    this.slowdown = { ...SIGN_IN_FAILURES, firstDelayMs: slowdownMs, maxDelayMs: 30 * slowdownMs, maxWaitMs: 10 * slowdownMs };
  }

  async addUser(input: { email: string; name: string; role: string; password?: string; mustChangePassword?: boolean }): Promise<{ id: number; password: string }> {
    const email = normaliseEmail(input.email);
    if (!EMAIL_PATTERN.test(email)) throw errors.badRequest(`"${input.email}" is not an email address`);
    if (!isRole(input.role)) throw errors.badRequest(`"${input.role}" is not a role`);
    if (!input.name.trim()) throw errors.badRequest("Give the person's name");
    const password = input.password ?? newOneTimePassword();
    const id = await this.users.create({
      email,
      name: input.name.trim(),
      role: input.role,
      passwordHash: await hashPassword(password),
      mustChangePassword: input.mustChangePassword ?? true,
      totpSecret: null,
      totpLastStep: null,
      partnerAgencyId: null,
      createdAt: new Date().toISOString(),
      disabledAt: null,
      credentialsEventId: null,
    }).catch((error: unknown) => {
      // The unique index decides, so two administrators adding the same person at once get one account.
      throw isUniqueViolation(error) ? new AppError("conflict", 409, EMAIL_TAKEN, [{ field: "email", message: EMAIL_TAKEN }]) : error;
    });
    return { id, password };
  }

  /** Resets a password (demo accounts at start, or an administrator's reset). */
  async setPassword(userId: number, password: string, mustChange: boolean): Promise<void> {
    await this.users.update(userId, { passwordHash: await hashPassword(password), mustChangePassword: mustChange });
  }

  /**
   * Checks an email and password. Known and unknown emails are answered alike, in the same
   * time (a dummy hash is checked for an unknown one) and with the same slowdown: after five
   * failures for an email each check waits its turn, so guessing is slow but whoever has the
   * right password gets in. A browser that signed in with the email before skips the queue
   * (`device`, its cookie) until it has failed three times itself.
   */
  async signIn(emailInput: string, password: string, options: { device?: string; now?: Date } = {}): Promise<SignInResult> {
    const now = options.now ?? new Date();
    const email = normaliseEmail(emailInput);
    const device = this.knownDevice(options.device, email);
    if (!device || (await this.rateLimits.failures(DEVICE_FAILURES, device, now)) >= DEVICE_FREE_FAILURES) {
      await this.rateLimits.awaitTurn(this.slowdown, email);
    }
    const user = await this.users.findByEmail(email);
    const usable = user && !user.disabledAt ? user : null;
    // Always one argon2 check: against a dummy hash when there is no account to check.
    const matches = await verifyPassword(usable?.passwordHash ?? (await (this.#dummyHash ??= hashPassword(crypto.randomBytes(16).toString("hex")))), password);
    if (!usable || !matches) {
      // Counted from now, after any wait: the next check comes a whole delay after this failure.
      await this.rateLimits.failed(this.slowdown, email);
      if (device) await this.rateLimits.failed(DEVICE_FAILURES, device);
      return { ok: false };
    }
    const token = await this.startSession(usable.id, now);
    return { ok: true, token, user: presentUser(usable), device: this.deviceCookie(email) };
  }

  private deviceMac(email: string, nonce: string): Buffer {
    return crypto.createHmac("sha256", this.keys.devices).update(`${email}:${nonce}`).digest();
  }

  /** A value for the browser to keep: proof that it signed in with this email before. */
  private deviceCookie(email: string): string {
    const nonce = crypto.randomBytes(12).toString("base64url");
    return `${nonce}.${this.deviceMac(email, nonce).toString("base64url")}`;
  }

  /** The device's nonce when its cookie was made for this email, otherwise null. */
  private knownDevice(cookie: string | undefined, email: string): string | null {
    const [nonce, mac] = (cookie ?? "").split(".");
    if (!nonce || !mac) return null;
    const expected = this.deviceMac(email, nonce);
    const given = Buffer.from(mac, "base64url");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? nonce : null;
  }

  /** Always a new token: a session id planted before sign-in can never become a signed-in one. */
  private async startSession(userId: number, now: Date): Promise<string> {
    const token = crypto.randomBytes(32).toString("base64url");
    await this.sessions.create({
      id: sessionId(token),
      userId,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_HOURS * 3600_000).toISOString(),
      lastSeenAt: now.toISOString(),
      secondFactorDone: false,
    });
    if (Math.random() < 0.05) await this.sessions.deleteExpired(now.toISOString());
    return token;
  }

  /** The signed-in user for a session cookie, or null when it is unknown, expired or idle too long. */
  async resolveSession(token: string, now: Date = new Date()): Promise<ResolvedSession | null> {
    const id = sessionId(token);
    const session = await this.sessions.findWithUser(id);
    if (!session) return null;
    const idleLimit = new Date(session.lastSeenAt).getTime() + SESSION_IDLE_MINUTES * 60_000;
    if (new Date(session.expiresAt) <= now || idleLimit <= now.getTime() || session.user.disabledAt) {
      await this.sessions.delete(id);
      return null;
    }
    // Only write when a minute has passed: a page with many requests should not write for each.
    if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) await this.sessions.touch(id, now.toISOString());
    return { user: presentUser(session.user), sessionId: id, secondFactorDone: Boolean(session.secondFactorDone) };
  }

  /** A new secret to set up an authenticator app with, sealed so the form can carry it back. */
  beginTwoFactor(email: string): { secret: string; sealed: string; uri: string } {
    const secret = newTotpSecret();
    return { secret, sealed: sealSecret(this.keys.totp, secret), uri: provisioningUri(secret, email) };
  }

  /** Turns two-factor sign-in on once the person proves their app makes the right codes. */
  async confirmTwoFactor(userId: number, sessionId: string, sealed: string, code: string, now: Date = new Date()): Promise<boolean> {
    let secret: string;
    try {
      secret = openSecret(this.keys.totp, sealed);
    } catch {
      return false;
    }
    const step = matchingStep(secret, code, now);
    const user = await this.users.findById(userId);
    if (step === null || !user) return false;
    await this.users.update(userId, { totpSecret: sealed, totpLastStep: step });
    await this.sessions.markSecondFactorDone(sessionId);
    await this.recordOwnChange(user, "staff-account-second-factor", now);
    return true;
  }

  /** The holder's own change to their sign-in, in the audit log (after a reset, it names who issued the credentials). */
  private async recordOwnChange(user: UserRow, recordType: string, now: Date): Promise<void> {
    await this.audit.record({ actor: { id: user.id, role: user.role }, operation: "alteration", recordType, recordIds: [user.id] }, now);
  }

  /**
   * Checks a sign-in code; each 30-second step is accepted once. Every try counts against the
   * session and the account, and past either limit the code is not even checked (429).
   */
  async verifySecondFactor(userId: number, sessionId: string, code: string, now: Date = new Date()): Promise<boolean> {
    await this.rateLimits.hit(CODE_TRIES_PER_SESSION, sessionId, now);
    await this.rateLimits.hit(CODE_TRIES_PER_ACCOUNT, `user:${userId}`, now);
    const user = await this.users.findById(userId);
    if (!user?.totpSecret) return false;
    const step = matchingStep(openSecret(this.keys.totp, user.totpSecret), code, now);
    if (step === null || !(await this.users.spendTotpStep(userId, step))) return false;
    await this.sessions.markSecondFactorDone(sessionId);
    return true;
  }

  /**
   * Ends a session that has just proved its second factor and starts a new one in its place: a
   * session id planted in someone's browser before they enter their code never becomes theirs.
   */
  async renewSession(token: string, now: Date = new Date()): Promise<string> {
    const old = await this.sessions.findWithUser(sessionId(token));
    if (!old) throw errors.signInRequired();
    const renewed = crypto.randomBytes(32).toString("base64url");
    await this.sessions.create({
      id: sessionId(renewed),
      userId: old.userId,
      createdAt: now.toISOString(),
      expiresAt: old.expiresAt,
      lastSeenAt: now.toISOString(),
      secondFactorDone: old.secondFactorDone,
    });
    await this.sessions.delete(old.id);
    return renewed;
  }

  /** Sets a known secret directly: for demo accounts (printed at start) and tests, never from a form. */
  async setTwoFactorSecret(userId: number, secret: string): Promise<void> {
    await this.users.update(userId, { totpSecret: sealSecret(this.keys.totp, secret), totpLastStep: null });
  }

  /** An administrator's reset, for a lost phone: the person sets up a new app at next sign-in. */
  async resetTwoFactor(userId: number): Promise<void> {
    await this.users.update(userId, { totpSecret: null, totpLastStep: null });
    await this.signOutEverywhere(userId);
  }

  async signOut(token: string): Promise<void> {
    await this.sessions.delete(sessionId(token));
  }

  /**
   * Ends every session and personal access token of a user at once (a password changed or
   * reset, a role changed, an account disabled): whoever stole one loses it. The session that
   * changed its own password is kept. Returns how many sessions ended.
   */
  async signOutEverywhere(userId: number, options: { keep?: string; now?: Date } = {}): Promise<number> {
    await this.tokens.revokeStaffTokensOf(userId, (options.now ?? new Date()).toISOString());
    return this.sessions.deleteForUser(userId, options.keep);
  }

  /** The person's own change, from the session `sessionId`, which stays signed in. */
  async changePassword(userId: number, sessionId: string, current: string, next: string): Promise<{ field: string; message: string } | null> {
    const user = await this.users.findById(userId);
    if (!user) throw errors.notFound("account");
    if (!(await verifyPassword(user.passwordHash, current))) return { field: "current", message: "Your current password is wrong" };
    const problem = passwordProblem(next);
    if (problem) return { field: "password", message: problem };
    if (next === current) return { field: "password", message: "Choose a new password that is different from the current one" };
    await this.users.update(userId, { passwordHash: await hashPassword(next), mustChangePassword: false });
    await this.signOutEverywhere(userId, { keep: sessionId });
    await this.recordOwnChange(user, "staff-account-password", new Date());
    return null;
  }
}
