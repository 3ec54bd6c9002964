// The machine and software a benchmark ran on, for docs/performance.md.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import SQLite from "better-sqlite3";
import { BENCH_POSTGRES_URL } from "./databases.ts";
import { ROOT } from "./processes.ts";

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  loadAverage: string;
  kernel: string;
  node: string;
  sqlite: string;
  postgres: string;
  packages: Record<string, string>;
  commit: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "?";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || os.cpus().length;
  let memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  try {
    memory = execFileSync("free", ["-h"], { encoding: "utf8" }).split("\n")[1]!.split(/\s+/).slice(1, 2).join("") + " total (free -h)";
  } catch {
    // free is not everywhere; os.totalmem() will do.
  }
  const sqlite = new SQLite(":memory:");
  const sqliteVersion = (sqlite.prepare("select sqlite_version() as v").get() as { v: string }).v;
  sqlite.close();
  let postgres = "not reachable";
  try {
    const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    postgres = (await client.query("show server_version")).rows[0].server_version;
    const settings = await client.query("select name, setting from pg_settings where name in ('synchronous_commit', 'fsync', 'shared_buffers')");
    postgres += ` (${settings.rows.map((r: { name: string; setting: string }) => `${r.name}=${r.setting}`).join(", ")})`;
    await client.end();
  } catch (error) {
    postgres = `not reachable (${(error as Error).message})`;
  }
  let commit = "?";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim()) commit += " with uncommitted changes";
  } catch {
    // Not a git checkout.
  }
  return {
    cpu,
    cores,
    memory,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(", "),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite: sqliteVersion,
    postgres,
    packages: Object.fromEntries(["fastify", "better-sqlite3", "pg", "kysely", "papaparse", "h3-js", "autocannon", "tsx"].map((name) => [name, packageVersion(name)])),
    commit,
  };
}
