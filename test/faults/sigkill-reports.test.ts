// Crash safety of report submission: `openbeat serve` is killed with SIGKILL while 50 clients
// submit reports. Every report that was answered 201 must be in the database when it comes back,
// whole (its history row and vehicle sighting were written in the same transaction), and the
// restarted server takes reports again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freshDatabase, withDatabase, type BenchDatabase } from "../../bench/lib/databases.ts";
import { newSecrets, openbeatEnvironment, startServer, type RunningServer } from "../../bench/lib/processes.ts";
import { reportBody } from "../../bench/lib/setup.ts";
import { testDialects } from "../support/databases.ts";

const CLIENTS = 50;

async function submit(server: RunningServer, client: number): Promise<string | null> {
  try {
    const response = await fetch(`${server.url}/api/reports`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `10.9.${client}.1` },
      body: JSON.stringify(reportBody()),
    });
    const body = (await response.json()) as { reference?: string };
    return response.status === 201 ? body.reference! : null;
  } catch {
    // The connection died with the server: not acknowledged, so nothing is owed.
    return null;
  }
}

for (const dialect of testDialects()) {
  describe(`SIGKILL during report submissions [${dialect}]`, () => {
    let database: BenchDatabase;
    const secrets = newSecrets();
    before(async () => {
      database = await freshDatabase(dialect, { label: "fault_reports" });
    });
    after(async () => {
      await database?.drop();
    });

    it("keeps every report answered 201, none half-written, and takes reports again after a restart", async () => {
      const environment = () => openbeatEnvironment(database.url, secrets, { OPENBEAT_TRUST_PROXY: "true", OPENBEAT_LOG_LEVEL: "warn" });
      const server = await startServer(environment());
      const acknowledged: string[] = [];
      let killed = false;
      const clients = Array.from({ length: CLIENTS }, async (_, client) => {
        while (!killed) {
          const reference = await submit(server, client);
          if (reference) acknowledged.push(reference);
        }
      });
      // Kill once the load is well under way: at least 60 answered, so writes are in flight.
      const deadline = Date.now() + 30_000;
      while (acknowledged.length < 60 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      server.child.kill("SIGKILL");
      const exit = await server.exited;
      killed = true;
      await Promise.all(clients);
      assert.equal(exit.signal, "SIGKILL");
      assert.ok(acknowledged.length >= 60, `only ${acknowledged.length} reports were acknowledged before the kill`);

      const restarted = await startServer(environment());
      try {
        const health = await fetch(`${restarted.url}/healthz`);
        assert.equal(health.status, 200, "the restarted server has its database");
        const check = await withDatabase(database, async ({ db }) => {
          const stored = await db.selectFrom("reports").select(["id", "reference"]).execute();
          const withHistory = await db.selectFrom("reportHistory").select("reportId").distinct().execute();
          const withVehicle = await db.selectFrom("vehicleSightings").select("reportId").distinct().execute();
          return { stored, withHistory: new Set(withHistory.map((r) => r.reportId)), withVehicle: new Set(withVehicle.map((r) => r.reportId)) };
        });
        const references = new Set(check.stored.map((r) => r.reference));
        const lost = acknowledged.filter((reference) => !references.has(reference));
        console.log(`[${dialect}] ${acknowledged.length} reports answered 201 before SIGKILL; ${check.stored.length} in the database after restart; ${lost.length} lost`);
        assert.deepEqual(lost, [], "every report answered 201 is in the database");
        assert.equal(references.size, check.stored.length, "no reference is stored twice");
        const halfWritten = check.stored.filter((r) => !check.withHistory.has(r.id) || !check.withVehicle.has(r.id));
        assert.deepEqual(halfWritten, [], "every stored report has its history and vehicle sighting");
        // Stored but not acknowledged can only be the requests in flight at the kill, one per client at most.
        assert.ok(check.stored.length - acknowledged.length <= CLIENTS, `${check.stored.length - acknowledged.length} unacknowledged reports stored`);
        if (dialect === "sqlite") {
          const integrity = await withDatabase(database, async ({ db }) => {
            const { sql } = await import("kysely");
            const row = (await sql<Record<string, string>>`pragma integrity_check`.execute(db)).rows[0];
            return row ? Object.values(row)[0] : undefined;
          });
          assert.equal(integrity, "ok");
        }
        assert.ok(await submit(restarted, 200), "the restarted server answers a new report with 201");
      } finally {
        await restarted.stop();
      }
    });
  });
}
