// What the benchmarks put in a database before measuring: an operation around Ambleside Drive
// (target, a 400 m ring as buffer, two comparison areas), and staff to sign in as.
import type { Config } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { DEMO_COMPARISON, DEMO_TARGET } from "../../src/modules/demo/demo.service.ts";
import { createServices, type Services } from "../../src/services.ts";
import { testConfig } from "../../test/support/config.ts";
import type { BenchDatabase } from "./databases.ts";

export function servicesFor(database: BenchDatabase, opened: Database, overrides: Partial<Config> = {}): Services {
  return createServices(testConfig(database.target, overrides), opened);
}

export const OPERATION_NAME = "Ambleside benchmark";

/** Creates the published operation (areas drawn as polygons, so no data is needed first); answers its id and slug. */
export async function createBenchOperation(services: Services, database: Database): Promise<{ id: number; slug: string }> {
  const id = await services.areas.createOperation({
    name: OPERATION_NAME,
    startsOn: "2018-04-01",
    summary: "Synthetic operation for benchmarks.",
    target: { definition: { kind: "polygon", geometry: DEMO_TARGET } },
    buffer: { definition: { kind: "ring", metres: 400 } },
    comparison: { definition: { kind: "polygon", geometry: DEMO_COMPARISON } },
  });
  await database.db.updateTable("operations").set({ published: true, status: "active" }).where("id", "=", id).execute();
  const row = await database.db.selectFrom("operations").select("slug").where("id", "=", id).executeTakeFirstOrThrow();
  return { id, slug: row.slug };
}

/** A report as a resident's app would send it, inside the operation's target. */
export function reportBody(): Record<string, unknown> {
  return {
    category: "kerb-crawling",
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    lat: 51.5383,
    lng: 0.7274,
    description: "A car circled four times and stopped to proposition me.",
    answers: { what: "propositioned" },
    vehicle: { registration: "AB12 CDE", make: "BMW", colour: "Black" },
  };
}

export const STAFF_PASSWORD = "correct horse battery staple bench";

/** Signs in over HTTP through the real form and answers the Cookie header to send. */
export async function signIn(baseUrl: string, email: string, password = STAFF_PASSWORD): Promise<string> {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      cookies.set(name!.trim(), value.join("="));
    }
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const page = await fetch(`${baseUrl}/staff/sign-in`, { headers: { accept: "text/html" } });
  remember(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const form = new URLSearchParams({ _csrf: csrf, email, password, next: "/staff" });
  const response = await fetch(`${baseUrl}/staff/sign-in`, {
    method: "POST",
    body: form.toString(),
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: header() },
  });
  remember(response);
  if (response.status !== 302) throw new Error(`Signing in as ${email} failed with ${response.status}`);
  return header();
}
