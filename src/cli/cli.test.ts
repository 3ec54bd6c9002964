import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { after, describe, it } from "node:test";
import { writeSyntheticSample } from "../../test/fixtures/police-uk/sample.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/openbeat.js");
const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-cli-"));

function openbeat(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [bin, ...args], {
    env: { ...process.env, NODE_ENV: "development", OPENBEAT_DATA_DIR: directory, DATABASE_URL: `sqlite:${path.join(directory, "cli.sqlite")}`, ...env },
  });
}

describe("the command line", () => {
  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("explains itself and each command", async () => {
    const { stdout } = await openbeat(["--help"]);
    for (const command of ["serve", "migrate", "users", "demo"]) assert.match(stdout, new RegExp(`\\b${command}\\b`));
    const users = await openbeat(["users", "add", "--help"]);
    assert.match(users.stdout, /--role <role>/);
    assert.match(users.stdout.replace(/\s+/g, " "), /officer, operation-lead, analyst, safeguarding-lead, partner-worker, administrator, auditor/);
  });

  it("migrates, then adds a user with a one-time password to change at first sign-in", async () => {
    const migrated = await openbeat(["migrate"]);
    assert.match(migrated.stdout, /Applied: 0001_foundation/);
    assert.match((await openbeat(["migrate"])).stdout, /up to date/);
    const added = await openbeat(["users", "add", "--role", "officer", "--email", "PC.Smith@Example.Police.UK", "--name", "PC Smith"]);
    assert.match(added.stdout, /Created officer account for pc\.smith@example\.police\.uk/);
    assert.match(added.stdout, /One-time password .*: [a-z0-9]{4}(-[a-z0-9]{4}){3}/);
    await assert.rejects(openbeat(["users", "add", "--role", "officer", "--email", "pc.smith@example.police.uk", "--name", "PC Smith"]), (error: { stderr: string; code: number }) => {
      assert.match(error.stderr, /An account with that email already exists/);
      assert.equal(error.code, 2);
      return true;
    });
    await assert.rejects(openbeat(["users", "add", "--role", "sergeant", "--email", "x@example.test", "--name", "X"]), /"sergeant" is not a role/);
  });

  it("adds an auditor at the command line, without a second administrator, and logs who was added", async () => {
    const added = await openbeat(["users", "add", "--role", "auditor", "--email", "audrey@example.police.uk", "--name", "Audrey Auditor"]);
    assert.match(added.stdout, /Created auditor account for audrey@example\.police\.uk/);
    const db = new SQLite(path.join(directory, "cli.sqlite"), { readonly: true });
    try {
      const account = db.prepare("SELECT id, role FROM users WHERE email = ?").get("audrey@example.police.uk") as { id: number; role: string };
      assert.equal(account.role, "auditor");
      const event = db.prepare("SELECT * FROM audit_events WHERE record_type = 'staff-account' ORDER BY id DESC LIMIT 1").get() as Record<string, unknown>;
      assert.deepEqual([event.operation, event.actor_id, event.record_ids], ["collection", null, JSON.stringify([String(account.id)])], "created at the command line: no administrator");
    } finally {
      db.close();
    }
  });

  it("imports police.uk files, printing each file and the totals, and exits 1 when a file failed", async () => {
    const sample = writeSyntheticSample({ months: ["2017-11"], rowsPerWeight: 2 });
    const imported = await openbeat(["import", "police-uk", sample.folder]);
    assert.match(imported.stderr, /street file, [\d,]+ rows read/);
    assert.match(imported.stdout, new RegExp(`Imported 1 of 1 file in [\\d.]+ s`));
    const rows = sample.expected.rows.toLocaleString("en-GB");
    assert.match(imported.stdout, new RegExp(`Rows read ${rows}, inserted ${rows}, already held 0 \\(kept, with any change police.uk made\\), skipped 0`));
    await assert.rejects(openbeat(["import", "police-uk", path.join(directory, "missing.csv")]), (error: { stdout: string; code: number }) => {
      assert.match(error.stdout, /missing\.csv: not found: check the path/);
      assert.equal(error.code, 1);
      return true;
    });
    // A configuration problem found inside the import's worker thread is told as the command line tells any other.
    await assert.rejects(openbeat(["import", "police-uk", sample.folder], { NODE_ENV: "production" }), (error: { stderr: string; code: number }) => {
      assert.match(error.stderr, /^openbeat: .*OPENBEAT_SECRET/m);
      assert.equal(error.code, 2);
      return true;
    });
  });

  it("refuses demo data in production", async () => {
    await assert.rejects(
      openbeat(["demo"], { NODE_ENV: "production", OPENBEAT_SECRET: "x".repeat(40), OPENBEAT_AUDIT_KEY: "y".repeat(40) }),
      /Demo data is refused in production/,
    );
    await assert.rejects(openbeat(["migrate"], { NODE_ENV: "production", OPENBEAT_DEMO: "1" }), /OPENBEAT_DEMO=1 is refused in production/);
  });

  it("says how to create a PostgreSQL database that does not exist, and that a server is not answering, without a stack trace", async () => {
    const missing = `openbeat_missing_${process.pid}`;
    await assert.rejects(openbeat(["migrate"], { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${missing}` }), (error: { stderr: string; code: number }) => {
      assert.match(error.stderr, new RegExp(`^openbeat: The PostgreSQL database "${missing}" does not exist on 127.0.0.1:5432\\. Create it \\(createdb -h 127\\.0\\.0\\.1 -p 5432 -U postgres ${missing}\\)`, "m"));
      assert.doesNotMatch(error.stderr, /\bat \S+:\d+:\d+/, "no stack trace");
      assert.equal(error.code, 2);
      return true;
    });
    await assert.rejects(openbeat(["migrate"], { DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" }), (error: { stderr: string; code: number }) => {
      assert.match(error.stderr, /^openbeat: PostgreSQL is not answering on 127\.0\.0\.1:1\. Start it/m);
      assert.equal(error.code, 2);
      return true;
    });
  });
});
