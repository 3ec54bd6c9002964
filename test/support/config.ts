// Configuration for tests: fresh random secrets, a private data directory, generous rate
// limits unless a test is about rate limits.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config, DatabaseTarget } from "../../src/config.ts";
import { FICTIONAL_DEPLOYMENT } from "../../src/deployment.ts";

export function testConfig(database: DatabaseTarget, overrides: Partial<Config> = {}): Config {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-test-"));
  return {
    environment: "test",
    port: 0,
    host: "127.0.0.1",
    database,
    dataDirectory,
    deployment: FICTIONAL_DEPLOYMENT,
    demo: false,
    secret: crypto.randomBytes(32),
    auditKey: crypto.randomBytes(32),
    tileUrl: null,
    tileFetch: { perSecond: 2, concurrency: 2 },
    trustProxy: false,
    publicUrl: null,
    logLevel: "silent",
    databaseQueueLimit: 100,
    rateLimits: { reports: 1000, tracking: 1000, signIn: 1000 },
    signInSlowdownMs: 5,
    secureCookies: false,
    smtpUrl: null,
    mailFrom: "openbeat tests <alerts@openbeat.test>",
    ...overrides,
  };
}
