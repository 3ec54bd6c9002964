// openbeat as real processes: the web server (`openbeat serve`) and the command line, started
// the way an operator starts them, on a port chosen by the system, on loopback only.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin/openbeat.js");
const PEAK_RSS = path.join(ROOT, "bench/lib/peak-rss.mjs");

/** Children still running when this process exits (a benchmark stopped with Ctrl-C) are ended with it. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Secrets for one deployment under test: a restarted server must be given the same ones. */
export function newSecrets(): { OPENBEAT_SECRET: string; OPENBEAT_AUDIT_KEY: string } {
  return { OPENBEAT_SECRET: crypto.randomBytes(32).toString("base64url"), OPENBEAT_AUDIT_KEY: crypto.randomBytes(32).toString("base64url") };
}

/** One empty data folder for every server this process starts: given their secrets, they write nothing there. */
let dataDirectory: string | null = null;

/** A production configuration on loopback: no demo data, no printed passwords, a private data folder. */
export function openbeatEnvironment(databaseUrl: string, secrets: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("OPENBEAT_") && key !== "DATABASE_URL" && key !== "PORT"));
  return {
    ...keep,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    PORT: "0",
    OPENBEAT_DATA_DIR: (dataDirectory ??= fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-data-"))),
    OPENBEAT_LOG_LEVEL: "info",
    ...secrets,
    ...extra,
  };
}

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote so far (standard output and error). */
  output(): string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The peak resident set size so far, in kilobytes (VmHWM), while it runs. */
  peakRssKb(): number | null;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `openbeat serve` and resolves once it listens. */
export async function startServer(env: NodeJS.ProcessEnv, options: { timeoutMs?: number; quietLog?: boolean } = {}): Promise<RunningServer> {
  const child = track(spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let output = "";
  // Request logs are drained (a production server writes them too) but only the head is kept.
  const keep = (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString("utf8");
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openbeat serve did not start within ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
    const look = () => {
      const match = /open http:\/\/[^/\s]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", look);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`openbeat serve exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    child,
    output: () => output,
    exited,
    peakRssKb: () => peakRssOf(child.pid!),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export { track as trackChild };

export function peakRssOf(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the whole run, in kilobytes. */
  peakRssKb: number | null;
  seconds: number;
}

/**
 * Runs a Node script (the openbeat command line unless `script` is given) to its end and
 * measures its peak memory. `onStart` gets the child, to signal it part-way.
 */
export async function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { script?: string; nodeOptions?: string[]; onStart?: (child: ChildProcess) => void; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-rss-")), "peak");
  const started = performance.now();
  const child = track(
    spawn(process.execPath, ["--import", PEAK_RSS, ...(options.nodeOptions ?? []), options.script ?? BIN, ...args], {
      cwd: ROOT,
      env: { ...env, OPENBEAT_PEAK_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString("utf8");
  });
  let lastPeak = null as number | null;
  // A process killed with SIGKILL writes nothing at exit: keep the last peak seen while it ran.
  const sampler = setInterval(() => {
    lastPeak = peakRssOf(child.pid!) ?? lastPeak;
  }, 100);
  options.onStart?.(child);
  const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : null;
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (c, s) => resolve({ code: c, signal: s })));
  clearInterval(sampler);
  if (timer) clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  let peakRssKb = lastPeak;
  if (fs.existsSync(rssFile)) peakRssKb = Number(fs.readFileSync(rssFile, "utf8"));
  fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  return { code, signal, stdout, stderr, peakRssKb, seconds };
}
