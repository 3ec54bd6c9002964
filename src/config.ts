// Environment → typed configuration. Defaults give the embedded setup (SQLite under ./data,
// demo data, secrets generated on first run); production refuses what is only safe for a demo.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";
import { deploymentFor, DeploymentError, type Deployment } from "./deployment.ts";

const booleanFlag = z
  .enum(["0", "1", "true", "false", "yes", "no"])
  .transform((value) => value === "1" || value === "true" || value === "yes");

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Loopback by default: a fresh start prints the demo passwords, so it answers this machine only.
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().optional(),
  OPENBEAT_DATA_DIR: z.string().default("data"),
  OPENBEAT_DEMO: booleanFlag.optional(),
  OPENBEAT_SECRET: z.string().min(32, "OPENBEAT_SECRET must be at least 32 characters").optional(),
  OPENBEAT_AUDIT_KEY: z.string().min(32, "OPENBEAT_AUDIT_KEY must be at least 32 characters").optional(),
  OPENBEAT_TILE_URL: z.string().url().optional(),
  OPENBEAT_TILE_FETCH_PER_SECOND: z.coerce.number().positive().max(1000).default(2),
  OPENBEAT_TILE_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
  OPENBEAT_TRUST_PROXY: z.string().optional(),
  OPENBEAT_PUBLIC_URL: z.string().url().optional(),
  /** A JSON file of the force's identity (src/deployment.ts); without it, a fictional one outside production. */
  OPENBEAT_DEPLOYMENT: z.string().optional(),
  OPENBEAT_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  OPENBEAT_DB_QUEUE_LIMIT: z.coerce.number().int().min(0).default(100),
  OPENBEAT_RATE_LIMIT_REPORTS: z.coerce.number().int().positive().default(20),
  OPENBEAT_RATE_LIMIT_TRACKING: z.coerce.number().int().positive().default(10),
  OPENBEAT_RATE_LIMIT_SIGN_IN: z.coerce.number().int().positive().default(10),
  OPENBEAT_SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, "OPENBEAT_SMTP_URL must look like smtp://user:password@host:587 or smtps://…").optional(),
  OPENBEAT_MAIL_FROM: z.string().min(3).optional(),
});

export type DatabaseTarget =
  | { dialect: "sqlite"; file: string }
  | { dialect: "postgres"; url: string };

export interface Config {
  environment: "development" | "production" | "test";
  port: number;
  host: string;
  database: DatabaseTarget;
  dataDirectory: string;
  /** Who runs this openbeat (null: not set, in production; letters are then refused). */
  deployment: Deployment | null;
  demo: boolean;
  /** Master secret; every purpose gets its own key derived from it (see `keyFor`). */
  secret: Buffer;
  /** Keys the audit chain; held outside the database so whoever can write the table cannot re-forge the chain. */
  auditKey: Buffer;
  tileUrl: string | null;
  /** How hard the tile pre-fetch may ask the tile server: tiles started a second, and at once. */
  tileFetch: { perSecond: number; concurrency: number };
  trustProxy: boolean | string;
  publicUrl: string | null;
  logLevel: string;
  /**
   * PostgreSQL: how many requests may wait for a connection beyond the pool's own; more at once
   * are answered 503 with Retry-After rather than queued until they time out.
   */
  databaseQueueLimit: number;
  rateLimits: { reports: number; tracking: number; signIn: number };
  /** The first wait once an email has had five failed sign-ins (1000 ms when not given; tests shorten it). */
  signInSlowdownMs?: number;
  secureCookies: boolean;
  /** Where email alerts are sent through (smtp://user:pass@host:port); without it mail waits in the queue. */
  smtpUrl: string | null;
  mailFrom: string;
}

export class ConfigError extends Error {}

export function parseDatabaseUrl(value: string | undefined, dataDirectory: string): DatabaseTarget {
  if (!value) return { dialect: "sqlite", file: path.join(dataDirectory, "openbeat.sqlite") };
  if (/^postgres(ql)?:\/\//.test(value)) return { dialect: "postgres", url: value };
  if (value.startsWith("sqlite:")) {
    const file = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!file) throw new ConfigError("DATABASE_URL=sqlite: needs a file path, e.g. sqlite:data/openbeat.sqlite");
    return { dialect: "sqlite", file };
  }
  if (/^[a-z]+:\/\//i.test(value)) {
    throw new ConfigError(
      `DATABASE_URL must be postgres://…, sqlite:PATH or a file path; "${value.split(":")[0]}:" is not supported`,
    );
  }
  return { dialect: "sqlite", file: value };
}

/** Secrets for a development machine: made once, kept beside the embedded database, never committed. */
function developmentSecrets(dataDirectory: string): { secret: string; auditKey: string } {
  const file = path.join(dataDirectory, "secrets.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const secrets = {
    secret: crypto.randomBytes(32).toString("base64url"),
    auditKey: crypto.randomBytes(32).toString("base64url"),
  };
  fs.mkdirSync(dataDirectory, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * `terminal`: whether a person is reading the output (standard output is a TTY). Outside
 * production a person then sees warnings only, not a line of JSON per request; a log collector
 * gets every request, as JSON.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, { terminal = false }: { terminal?: boolean } = {}): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`The environment is not valid:\n  ${problems.join("\n  ")}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  if (production && env.OPENBEAT_DEMO) {
    throw new ConfigError("OPENBEAT_DEMO=1 is refused in production: demo data and printed passwords are for trying openbeat out.");
  }
  if (production && (!env.OPENBEAT_SECRET || !env.OPENBEAT_AUDIT_KEY)) {
    throw new ConfigError("In production OPENBEAT_SECRET and OPENBEAT_AUDIT_KEY must be set (32 characters or more each).");
  }
  const fallback = env.OPENBEAT_SECRET && env.OPENBEAT_AUDIT_KEY ? null : developmentSecrets(env.OPENBEAT_DATA_DIR);
  const trustProxy = env.OPENBEAT_TRUST_PROXY;
  let deployment: Deployment | null;
  try {
    deployment = deploymentFor(env.OPENBEAT_DEPLOYMENT, production);
  } catch (error) {
    if (error instanceof DeploymentError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    environment: env.NODE_ENV,
    deployment,
    port: env.PORT,
    host: env.HOST,
    database: parseDatabaseUrl(env.DATABASE_URL, env.OPENBEAT_DATA_DIR),
    dataDirectory: env.OPENBEAT_DATA_DIR,
    demo: production ? false : (env.OPENBEAT_DEMO ?? true),
    secret: Buffer.from(env.OPENBEAT_SECRET ?? fallback!.secret),
    auditKey: Buffer.from(env.OPENBEAT_AUDIT_KEY ?? fallback!.auditKey),
    tileUrl: env.OPENBEAT_TILE_URL ?? null,
    tileFetch: { perSecond: env.OPENBEAT_TILE_FETCH_PER_SECOND, concurrency: env.OPENBEAT_TILE_FETCH_CONCURRENCY },
    trustProxy: trustProxy === undefined ? false : trustProxy === "true" ? true : trustProxy,
    publicUrl: env.OPENBEAT_PUBLIC_URL ?? null,
    logLevel: env.OPENBEAT_LOG_LEVEL ?? (terminal && env.NODE_ENV !== "production" ? "warn" : "info"),
    databaseQueueLimit: env.OPENBEAT_DB_QUEUE_LIMIT,
    rateLimits: {
      reports: env.OPENBEAT_RATE_LIMIT_REPORTS,
      tracking: env.OPENBEAT_RATE_LIMIT_TRACKING,
      signIn: env.OPENBEAT_RATE_LIMIT_SIGN_IN,
    },
    secureCookies: production || (env.OPENBEAT_PUBLIC_URL ?? "").startsWith("https://"),
    smtpUrl: env.OPENBEAT_SMTP_URL ?? null,
    mailFrom: env.OPENBEAT_MAIL_FROM ?? "openbeat <alerts@openbeat.invalid>",
  };
}

/** One key per purpose, so a leak or misuse of one (say, CSRF tokens) tells nothing about another. */
export function keyFor(config: Pick<Config, "secret">, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", config.secret, Buffer.alloc(0), `openbeat:${purpose}`, 32));
}
