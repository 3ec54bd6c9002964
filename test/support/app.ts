// Builds the real application on a fresh test database, and signs staff in through the real
// sign-in form.
import type { FastifyInstance } from "fastify";
import type { Config } from "../../src/config.ts";
import { buildApp } from "../../src/app.ts";
import type { Role } from "../../src/modules/auth/policy.ts";
import { testConfig } from "./config.ts";
import type { TestDatabase } from "./databases.ts";
import { PageClient } from "./client.ts";

export async function testApp(testDatabase: TestDatabase, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  return buildApp({ config: testConfig(testDatabase.target, overrides), database: testDatabase.database, logger: false });
}

let counter = 0;

/** Creates a staff account of a role and returns a client signed in as it. */
export async function signedInClient(app: FastifyInstance, role: Role, password = "correct horse battery staple"): Promise<{ client: PageClient; email: string; id: number }> {
  const email = `${role}-${process.pid}-${++counter}@example.test`;
  const { id } = await app.services.auth.addUser({ email, name: `Test ${role}`, role, password, mustChangePassword: false });
  const client = new PageClient(app);
  await client.get("/staff/sign-in");
  const response = await client.post("/staff/sign-in", { email, password, next: "/staff" });
  if (response.statusCode !== 302) throw new Error(`Sign-in failed for ${role}: ${response.statusCode}`);
  return { client, email, id };
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
