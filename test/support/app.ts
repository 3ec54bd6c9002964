// Builds the real application on a fresh test database, and signs staff in through the real
// sign-in form.
import type { FastifyInstance } from "fastify";
import type { Config } from "../../src/config.ts";
import type { Polygonal } from "../../src/domain/geo.ts";
import { buildApp } from "../../src/app.ts";
import type { Role } from "../../src/modules/auth/policy.ts";
import { testConfig } from "./config.ts";
import type { TestDatabase } from "./databases.ts";
import { PageClient } from "./client.ts";
import { SECOND_FACTOR_ROLES } from "../../src/modules/auth/policy.ts";
import { codeFor, newTotpSecret } from "../../src/modules/auth/two-factor.ts";

export async function testApp(testDatabase: TestDatabase, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  return buildApp({ config: testConfig(testDatabase.target, overrides), database: testDatabase.database, logger: false });
}

let counter = 0;

/**
 * Creates a staff account of a role and returns a client signed in as it, through the real
 * sign-in pages — including the authenticator code for roles that must use two-factor sign-in
 * (`twoFactorKey` is the secret, to make more codes with `codeFor`).
 */
export async function signedInClient(
  app: FastifyInstance,
  role: Role,
  password = "correct horse battery staple",
): Promise<{ client: PageClient; email: string; id: number; twoFactorKey: string | null }> {
  const email = `${role}-${process.pid}-${++counter}@example.test`;
  const { id } = await app.services.auth.addUser({ email, name: `Test ${role}`, role, password, mustChangePassword: false });
  const twoFactorKey = SECOND_FACTOR_ROLES.includes(role) ? newTotpSecret() : null;
  if (twoFactorKey) await app.services.auth.setTwoFactorSecret(id, twoFactorKey);
  const client = new PageClient(app);
  await client.get("/staff/sign-in");
  const response = await client.post("/staff/sign-in", { email, password, next: "/staff" });
  if (response.statusCode !== 302) throw new Error(`Sign-in failed for ${role}: ${response.statusCode}`);
  if (twoFactorKey) {
    await client.get("/staff/sign-in/code");
    const coded = await client.post("/staff/sign-in/code", { code: codeFor(twoFactorKey), next: "/staff" });
    if (coded.statusCode !== 302) throw new Error(`Two-factor sign-in failed for ${role}: ${coded.statusCode}`);
  }
  return { client, email, id, twoFactorKey };
}

/** Rate limits count in fixed windows (sign-in 15 minutes, receipt codes 10): start well inside both. */
export async function awayFromWindowEdges(): Promise<void> {
  while ([600_000, 900_000].some((window) => window - (Date.now() % window) < 10_000)) await new Promise((resolve) => setTimeout(resolve, 2_000));
}

/** Makes a personal access token through the tokens page, as the signed-in person would, and returns it. */
export async function createStaffToken(client: PageClient, name = "Queue export"): Promise<string> {
  await client.get("/staff/tokens");
  const created = await client.post("/staff/tokens", { name });
  if (created.statusCode !== 200) throw new Error(`Token not created: ${created.statusCode} ${created.body.slice(0, 200)}`);
  const token = /(obt_[A-Za-z0-9_-]+)/.exec(created.body)?.[1];
  if (!token) throw new Error("The new token was not shown");
  return token;
}

/** A valid report for the JSON API, to change one field at a time in tests. */
export function validReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: "kerb-crawling",
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    lat: 51.5383,
    lng: 0.7274,
    description: "A car circled four times and stopped to proposition me.",
    answers: { what: "propositioned" },
    vehicle: { registration: "ab12 cde", make: "BMW", colour: "Black" },
    ...overrides,
  };
}

export interface TestOperationOptions {
  published?: boolean;
  name?: string;
  /** Its own areas instead of the demo's (target, buffer, comparison; any may be left out). */
  areas?: Partial<Record<"target" | "buffer" | "comparison", Polygonal>>;
}

/** An active, published operation around Ambleside Drive (the demo's areas), for tests that need one. */
export async function activeOperation(app: FastifyInstance, slug = `test-operation-${process.pid}-${++counter}`, options: TestOperationOptions = {}): Promise<number> {
  const { DEMO_TARGET, DEMO_BUFFER, DEMO_COMPARISON } = await import("../../src/modules/demo/demo.service.ts");
  const now = new Date().toISOString();
  const areas = options.areas ?? { target: DEMO_TARGET, buffer: DEMO_BUFFER, comparison: DEMO_COMPARISON };
  return app.services.operationsRepository.create(
    {
      slug,
      name: options.name ?? `Test operation ${slug}`,
      summary: "An operation for tests.",
      objectives: JSON.stringify(["Reduce kerb crawling"]),
      categoriesInScope: JSON.stringify(["kerb-crawling"]),
      startsOn: new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10),
      endsOn: null,
      plannedHoursPerWeek: 40,
      status: "active",
      published: options.published ?? true,
      isDemo: false,
      createdAt: now,
      updatedAt: now,
    },
    (["target", "buffer", "comparison"] as const)
      .filter((role) => areas[role])
      .map((role) => ({ role, name: `${role[0]!.toUpperCase()}${role.slice(1)}`, geometry: JSON.stringify(areas[role]), createdAt: now })),
  );
}
