// PostgreSQL stopped under load and started again, on a private cluster made with initdb for this
// test (never the shared server): while it is down requests fail fast with 503 and a message
// that says what to do; once it is back they succeed without restarting openbeat; nothing that
// was acknowledged is lost. Fails (does not skip) when the cluster cannot be made, saying why.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { freshDatabase, withDatabase, type BenchDatabase } from "../../bench/lib/databases.ts";
import { newSecrets, openbeatEnvironment, startServer, type RunningServer } from "../../bench/lib/processes.ts";
import { reportBody } from "../../bench/lib/setup.ts";

const BIN = process.env.OPENBEAT_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** A throwaway PostgreSQL cluster in a temporary folder, run as the postgres user when we are root. */
class PrivateCluster {
  readonly directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-pg-"));
  readonly data = path.join(this.directory, "data");
  port = 0;

  private run(command: string, args: string[]): string {
    const asRoot = process.getuid?.() === 0;
    const [file, all] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(BIN, command), ...args]] : [path.join(BIN, command), args];
    return execFileSync(file, all as string[], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  }

  async create(): Promise<void> {
    if (!fs.existsSync(path.join(BIN, "initdb"))) {
      throw new Error(`Cannot make a private PostgreSQL cluster: ${BIN}/initdb is missing (apt-get install postgresql, or set OPENBEAT_POSTGRES_BIN).`);
    }
    if (process.getuid?.() === 0) {
      fs.chmodSync(this.directory, 0o755);
      execFileSync("chown", ["postgres:postgres", this.directory]);
    }
    this.port = await freePort();
    try {
      this.run("initdb", ["-D", this.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr || (error as Error).message;
      throw new Error(`Cannot make a private PostgreSQL cluster with initdb in ${this.data}: ${detail}`);
    }
    this.start();
  }

  start(): void {
    this.run("pg_ctl", ["-D", this.data, "-l", path.join(this.directory, "log"), "-w", "-t", "60", "-o", `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c max_connections=30`, "start"]);
  }

  stop(mode: "fast" | "immediate" = "fast"): void {
    this.run("pg_ctl", ["-D", this.data, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  remove(): void {
    try {
      this.stop("immediate");
    } catch {
      // Already stopped.
    }
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

async function submit(server: RunningServer, client: number): Promise<{ status: number; reference?: string; message?: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/reports`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `10.7.${client % 250}.${Math.floor(client / 250)}` },
    body: JSON.stringify(reportBody()),
  });
  const body = (await response.json()) as { reference?: string; message?: string };
  return { status: response.status, reference: body.reference, message: body.message, ms: performance.now() - started };
}

describe("PostgreSQL stopped under load and started again (private cluster)", () => {
  const cluster = new PrivateCluster();
  let database: BenchDatabase;
  before(async () => {
    await cluster.create();
    database = await freshDatabase("postgres", { postgresUrl: cluster.url, label: "fault_pg_stop" });
  });
  after(() => cluster.remove());

  it("answers 503 fast while it is down, recovers without a restart, and loses nothing acknowledged", async () => {
    const server = await startServer(openbeatEnvironment(database.url, newSecrets(), { OPENBEAT_TRUST_PROXY: "true", OPENBEAT_LOG_LEVEL: "warn" }));
    const acknowledged: string[] = [];
    const answers: Array<{ status: number; message?: string; ms: number; phase: string }> = [];
    let phase = "up";
    let stopping = false;
    let client = 0;
    const load = Array.from({ length: 10 }, async () => {
      while (!stopping) {
        // A request belongs to the phase it was sent in.
        const sentIn = phase;
        const answer = await submit(server, client++).catch((error: Error) => ({ status: 0, message: error.message, ms: 0, reference: undefined }));
        if (answer.status === 201 && answer.reference) acknowledged.push(answer.reference);
        answers.push({ ...answer, phase: sentIn });
      }
    });
    try {
      while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 20));
      phase = "stopping";
      cluster.stop("fast");
      phase = "down";
      // Let the load meet the stopped server for a while.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const down = answers.filter((a) => a.phase === "down");
      assert.ok(down.length > 0, "requests were made while PostgreSQL was down");
      const unexpected = down.filter((a) => a.status !== 503);
      assert.deepEqual(unexpected, [], `every request while it is down is answered 503; openbeat's output:\n${server.output().slice(-3000)}`);
      const slowest = Math.max(...down.map((a) => a.ms));
      assert.ok(slowest < 2000, `503 comes fast (slowest ${slowest.toFixed(0)} ms)`);
      assert.match(down[0]!.message ?? "", /unavailable|try again/i, "the 503 says what is wrong and what to do");
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 503, "/healthz tells a load balancer the database is down");
      const open311 = await fetch(`${server.url}/open311/v2/requests.json`);
      assert.equal(open311.status, 503, "Open311 answers 503 too, in its own error format");

      cluster.start();
      phase = "back";
      const deadline = Date.now() + 20_000;
      while (!answers.some((a) => a.phase === "back" && a.status === 201) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(answers.some((a) => a.phase === "back" && a.status === 201), "reports are taken again once PostgreSQL is back, without restarting openbeat");
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      stopping = true;
      await Promise.all(load);
      await server.stop();
    }
    const wrong = answers.filter((a) => a.status !== 201 && a.status !== 503);
    assert.deepEqual(wrong, [], `every answer is 201 or 503, whatever the moment PostgreSQL stopped; openbeat's log:\n${server.output().slice(-3000)}`);
    const lastBack = answers.filter((a) => a.phase === "back").slice(-20);
    assert.ok(lastBack.every((a) => a.status === 201), `after recovery every request succeeds: ${JSON.stringify(lastBack.map((a) => a.status))}`);
    const stored = await withDatabase(database, ({ db }) => db.selectFrom("reports").select("reference").execute());
    const references = new Set(stored.map((r) => r.reference));
    const lost = acknowledged.filter((reference) => !references.has(reference));
    const statusCounts = answers.reduce<Record<string, number>>((counts, a) => ({ ...counts, [`${a.phase} ${a.status}`]: (counts[`${a.phase} ${a.status}`] ?? 0) + 1 }), {});
    console.log(`answers by phase and status: ${JSON.stringify(statusCounts)}; ${acknowledged.length} acknowledged, ${stored.length} stored, ${lost.length} lost`);
    assert.deepEqual(lost, [], "nothing acknowledged is lost");
  });
});
