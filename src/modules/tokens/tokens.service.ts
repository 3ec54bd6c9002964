// Two kinds of secret that let software, not a person at a browser, reach openbeat:
// - client API keys, for apps that post residents' reports through Open311;
// - staff personal access tokens, for a member of staff's own scripts on the JSON API.
// Both are shown once and stored only as a keyed hash, both can be revoked at once, and a
// token never outlives its user's right to use it: disabled accounts and roles that must sign
// in with a second factor (safeguarding, partners, administrators, auditors) get nothing.
import crypto from "node:crypto";
import { errors } from "../../http/errors.ts";
import { isRole, SECOND_FACTOR_ROLES, type Role } from "../auth/policy.ts";
import type { ResolvedSession, StaffUser } from "../auth/auth.service.ts";
import type { UserRow } from "../auth/users.repository.ts";
import type { ApiClientRow, StaffTokenRow, TokensRepository } from "./tokens.repository.ts";

/** The terms every client app accepts; the version is kept with each key. */
export const CLIENT_TERMS_VERSION = "2026-1";
export const CLIENT_TERMS = [
  "Show residents the receipt code openbeat returns, and tell them it is the only way back to their report.",
  "Republish nothing about reports but what openbeat itself publishes through Open311: no descriptions, contact details, vehicles or exact places residents typed into your app.",
  "Tell residents that someone in danger now needs 999, not an app.",
  "Keep the key secret; ask for it to be revoked if it leaks.",
];

const STAFF_TOKEN_DAYS = 90;
const NAME_LIMIT = 80;

/** Session ids of requests made with a personal access token start with this, so audit events can name the token. */
export const TOKEN_SESSION_PREFIX = "api-token:";

export interface ApiClient {
  id: number;
  name: string;
  keyHint: string;
  termsVersion: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface StaffToken {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  usable: boolean;
}

function present(row: ApiClientRow): ApiClient {
  const { keyHash: _hash, createdBy: _by, ...client } = row;
  return client;
}

function presentUser(row: UserRow): StaffUser | null {
  if (!isRole(row.role)) return null;
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

/** Whether a role may hold personal access tokens: not the roles that must sign in with a second factor. */
export function mayUseStaffTokens(role: Role): boolean {
  return !SECOND_FACTOR_ROLES.includes(role);
}

/** The personal access token behind a request, or null for a browser session. */
export function staffTokenId(staff: ResolvedSession | null): number | null {
  if (!staff?.sessionId.startsWith(TOKEN_SESSION_PREFIX)) return null;
  return Number(staff.sessionId.slice(TOKEN_SESSION_PREFIX.length)) || null;
}

export class TokensService {
  constructor(
    private readonly repository: TokensRepository,
    private readonly key: Buffer,
  ) {}

  private hash(secret: string): string {
    return crypto.createHmac("sha256", this.key).update(secret).digest("hex");
  }

  private checkName(name: string, what: string): string {
    const trimmed = name.trim();
    if (!trimmed) throw errors.invalid([{ field: "name", message: `Enter a name for the ${what}` }]);
    if (trimmed.length > NAME_LIMIT) throw errors.invalid([{ field: "name", message: `Keep the name to ${NAME_LIMIT} characters or fewer` }]);
    return trimmed;
  }

  /** Registers a client app and returns its key, which is never shown again. */
  async addClient(name: string, createdBy: number | null, now: Date = new Date()): Promise<{ id: number; key: string }> {
    const clean = this.checkName(name, "app");
    const key = `obk_${crypto.randomBytes(32).toString("base64url")}`;
    const id = await this.repository.addClient({
      name: clean,
      keyHash: this.hash(key),
      keyHint: key.slice(-4),
      termsVersion: CLIENT_TERMS_VERSION,
      createdBy,
      createdAt: now.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });
    return { id, key };
  }

  async listClients(): Promise<ApiClient[]> {
    return (await this.repository.listClients()).map(present);
  }

  async revokeClient(id: number, now: Date = new Date()): Promise<ApiClient> {
    const client = await this.repository.findClient(id);
    if (!client) throw errors.notFound("client app");
    await this.repository.revokeClient(id, now.toISOString());
    return present((await this.repository.findClient(id))!);
  }

  /** The registered, unrevoked client app a key belongs to, or null. */
  async clientForKey(key: string | undefined, now: Date = new Date()): Promise<ApiClient | null> {
    if (!key || key.length > 200) return null;
    const client = await this.repository.findClientByKeyHash(this.hash(key));
    if (!client || client.revokedAt) return null;
    await this.repository.touchClient(client.id, now.toISOString());
    return present(client);
  }

  /** Creates a personal access token for the user's own scripts; shown once. */
  async createStaffToken(user: StaffUser, name: string, now: Date = new Date()): Promise<{ id: number; token: string; expiresAt: string }> {
    if (!mayUseStaffTokens(user.role)) throw errors.forbidden();
    const clean = this.checkName(name, "token");
    const token = `obt_${crypto.randomBytes(32).toString("base64url")}`;
    const expiresAt = new Date(now.getTime() + STAFF_TOKEN_DAYS * 86_400_000).toISOString();
    const id = await this.repository.addStaffToken({
      userId: user.id,
      name: clean,
      tokenHash: this.hash(token),
      createdAt: now.toISOString(),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    return { id, token, expiresAt };
  }

  async staffTokensOf(userId: number, now: Date = new Date()): Promise<StaffToken[]> {
    return (await this.repository.staffTokensOf(userId)).map((row: StaffTokenRow) => ({
      id: row.id,
      name: row.name,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      lastUsedAt: row.lastUsedAt,
      revokedAt: row.revokedAt,
      usable: !row.revokedAt && row.expiresAt > now.toISOString(),
    }));
  }

  async revokeStaffToken(user: StaffUser, id: number, now: Date = new Date()): Promise<void> {
    const revoked = await this.repository.revokeStaffToken(id, user.id, now.toISOString());
    if (!revoked && !(await this.repository.staffTokensOf(user.id)).some((t) => t.id === id)) throw errors.notFound("token");
  }

  /**
   * The member of staff an `Authorization: Bearer` token stands for, as if signed in with both
   * factors, or null when the token is unknown, revoked, expired, or its user is disabled or now
   * holds a role that must sign in with a second factor.
   */
  async resolveBearer(header: string | undefined, now: Date = new Date()): Promise<ResolvedSession | null> {
    const match = /^Bearer\s+(obt_[A-Za-z0-9_-]{20,100})\s*$/i.exec(header ?? "");
    if (!match) return null;
    const found = await this.repository.findStaffTokenWithUser(this.hash(match[1]!));
    if (!found || found.token.revokedAt || found.token.expiresAt <= now.toISOString() || found.user.disabledAt) return null;
    const user = presentUser(found.user);
    if (!user || !mayUseStaffTokens(user.role)) return null;
    await this.repository.touchStaffToken(found.token.id, now.toISOString());
    return { user, sessionId: `${TOKEN_SESSION_PREFIX}${found.token.id}`, secondFactorDone: true };
  }
}
