import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, keyFor, loadConfig, parseDatabaseUrl } from "./config.ts";

describe("configuration from the environment", () => {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-config-"));

  it("chooses the database from DATABASE_URL: embedded SQLite by default, a sqlite: path, a bare path, or PostgreSQL", () => {
    assert.deepEqual(parseDatabaseUrl(undefined, "data"), { dialect: "sqlite", file: path.join("data", "openbeat.sqlite") });
    assert.deepEqual(parseDatabaseUrl("sqlite:/var/lib/openbeat/db.sqlite", "data"), { dialect: "sqlite", file: "/var/lib/openbeat/db.sqlite" });
    assert.deepEqual(parseDatabaseUrl("sqlite:relative/db.sqlite", "data"), { dialect: "sqlite", file: "relative/db.sqlite" });
    assert.deepEqual(parseDatabaseUrl("./my.sqlite", "data"), { dialect: "sqlite", file: "./my.sqlite" });
    assert.deepEqual(parseDatabaseUrl("postgres://u@h:5432/db", "data"), { dialect: "postgres", url: "postgres://u@h:5432/db" });
    assert.deepEqual(parseDatabaseUrl("postgresql://u@h/db", "data"), { dialect: "postgres", url: "postgresql://u@h/db" });
    assert.throws(() => parseDatabaseUrl("mysql://u@h/db", "data"), (e: Error) => e instanceof ConfigError && /"mysql:" is not supported/.test(e.message));
  });

  it("honours PORT, starts with demo data unless OPENBEAT_DEMO=0, and keeps development secrets across starts", () => {
    const first = loadConfig({ PORT: "8080", OPENBEAT_DATA_DIR: dataDirectory });
    assert.equal(first.port, 8080);
    assert.equal(first.demo, true);
    assert.equal(loadConfig({ OPENBEAT_DEMO: "0", OPENBEAT_DATA_DIR: dataDirectory }).demo, false);
    const second = loadConfig({ OPENBEAT_DATA_DIR: dataDirectory });
    assert.deepEqual(second.secret, first.secret, "receipt codes still work after a restart");
    assert.equal((fs.statSync(path.join(dataDirectory, "secrets.json")).mode & 0o777).toString(8), "600");
  });

  it("keeps a terminal quiet (warnings only) but logs every request for a collector, unless OPENBEAT_LOG_LEVEL says otherwise", () => {
    assert.equal(loadConfig({ OPENBEAT_DATA_DIR: dataDirectory }, { terminal: true }).logLevel, "warn");
    assert.equal(loadConfig({ OPENBEAT_DATA_DIR: dataDirectory }, { terminal: false }).logLevel, "info");
    assert.equal(loadConfig({ OPENBEAT_DATA_DIR: dataDirectory, OPENBEAT_LOG_LEVEL: "debug" }, { terminal: true }).logLevel, "debug");
  });

  it("answers this machine only unless HOST says otherwise: a first start prints the demo passwords", () => {
    assert.equal(loadConfig({ OPENBEAT_DATA_DIR: dataDirectory }).host, "127.0.0.1");
    assert.equal(loadConfig({ HOST: "0.0.0.0", OPENBEAT_DATA_DIR: dataDirectory }).host, "0.0.0.0");
  });

  it("refuses demo data, missing secrets and bad values in production, saying what to set", () => {
    assert.throws(() => loadConfig({ NODE_ENV: "production", OPENBEAT_DEMO: "1" }), /OPENBEAT_DEMO=1 is refused in production/);
    assert.throws(() => loadConfig({ NODE_ENV: "production", OPENBEAT_DATA_DIR: dataDirectory }), /OPENBEAT_SECRET and OPENBEAT_AUDIT_KEY must be set/);
    const production = loadConfig({ NODE_ENV: "production", OPENBEAT_SECRET: "s".repeat(40), OPENBEAT_AUDIT_KEY: "a".repeat(40) });
    assert.equal(production.demo, false);
    assert.equal(production.secureCookies, true);
    assert.throws(() => loadConfig({ PORT: "seventy", OPENBEAT_DATA_DIR: dataDirectory }), /PORT/);
  });

  it("derives a separate key for each purpose", () => {
    const config = loadConfig({ OPENBEAT_DATA_DIR: dataDirectory });
    assert.notDeepEqual(keyFor(config, "receipt-codes"), keyFor(config, "contact-details"));
    assert.equal(keyFor(config, "csrf").length, 32);
  });
});
