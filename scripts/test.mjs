// The whole test suite: unit, API (on SQLite and PostgreSQL), property and browser tests.
// Fails, never skips, when PostgreSQL, the browser or the real police.uk data cannot be used:
// set OPENBEAT_TEST_DATABASES=sqlite or OPENBEAT_TEST_BROWSER=0 to leave them out knowingly.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

function findTests(directory) {
  if (!fs.existsSync(directory)) return [];
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : findTests(full);
    return entry.name.endsWith(".test.ts") ? [path.relative(root, full)] : [];
  });
}

const only = process.argv.slice(2);
const browser = process.env.OPENBEAT_TEST_BROWSER !== "0";
const databases = (process.env.OPENBEAT_TEST_DATABASES ?? "sqlite,postgres").split(",");
let files = only.length ? only : [...findTests("src"), ...findTests("test")];
if (!browser) files = files.filter((file) => !file.startsWith(path.join("test", "e2e")));

if (!fs.existsSync(path.join(root, "public", "openbeat.js"))) {
  spawnSync(process.execPath, ["scripts/build-client.mjs"], { stdio: "inherit" });
}

if (databases.includes("postgres")) {
  const url = process.env.OPENBEAT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    console.error(`PostgreSQL is not reachable at ${url} (${error.message}).`);
    console.error("Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set OPENBEAT_TEST_DATABASES=sqlite.");
    process.exit(1);
  }
}
if (browser && files.some((file) => file.startsWith(path.join("test", "e2e"))) && !fs.existsSync(process.env.OPENBEAT_CHROMIUM ?? "/usr/bin/chromium")) {
  console.error("Chromium is missing (/usr/bin/chromium): apt-get install -y chromium fonts-liberation, or set OPENBEAT_TEST_BROWSER=0.");
  process.exit(1);
}

const run = `${process.pid}${Date.now().toString(36)}`;
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${process.env.OPENBEAT_TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: "inherit", env: { ...process.env, NODE_ENV: "test", OPENBEAT_TEST_RUN: run } },
);

// Each PostgreSQL test database is a schema named after this run; drop them all now that no
// test can be reading the catalogue (see test/support/databases.ts).
if (databases.includes("postgres")) {
  const client = new pg.Client({ connectionString: process.env.OPENBEAT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test" });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [`t\\_${run}\\_%`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } catch (error) {
    console.error(`Could not drop this run's test schemas: ${error.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
process.exit(result.status ?? 1);
