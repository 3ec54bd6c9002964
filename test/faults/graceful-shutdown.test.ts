// Graceful shutdown: on SIGTERM `openbeat serve` stops accepting connections, finishes the
// requests in flight (here a report whose body is still arriving), closes the database and exits 0.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { freshDatabase, withDatabase, type BenchDatabase } from "../../bench/lib/databases.ts";
import { newSecrets, openbeatEnvironment, startServer } from "../../bench/lib/processes.ts";
import { reportBody } from "../../bench/lib/setup.ts";
import { testDialects } from "../support/databases.ts";

/** Sends a request's head and the first half of its body now; `finish` sends the rest and answers the raw response. */
function slowRequest(port: number, body: string): Promise<{ finish(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      const half = Math.floor(body.length / 2);
      socket.write(`POST /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
      socket.write(body.slice(0, half));
      let response = "";
      const ended = new Promise<string>((done) => {
        socket.on("data", (chunk) => (response += chunk.toString()));
        socket.on("close", () => done(response));
      });
      resolve({
        finish: async () => {
          socket.write(body.slice(half));
          return ended;
        },
      });
    });
    socket.on("error", reject);
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

for (const dialect of testDialects()) {
  describe(`graceful shutdown on SIGTERM [${dialect}]`, () => {
    let database: BenchDatabase;
    before(async () => {
      database = await freshDatabase(dialect, { label: "fault_shutdown" });
    });
    after(async () => {
      await database?.drop();
    });

    it("stops accepting, finishes the request in flight, closes the database and exits 0", async () => {
      const server = await startServer(openbeatEnvironment(database.url, newSecrets()));
      const inFlight = await slowRequest(server.port, JSON.stringify(reportBody()));
      // Let the server read the head, so the request is under way when the signal comes.
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.child.kill("SIGTERM");
      const deadline = Date.now() + 10_000;
      while ((await connects(server.port)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await connects(server.port), false, "no new connections once shutting down");
      assert.equal(server.child.exitCode, null, "still running while a request is in flight");

      const response = await inFlight.finish();
      assert.match(response, /^HTTP\/1\.1 201 /, `the request in flight was finished:\n${response}`);
      const reference = /"reference":"(OB-[0-9A-Z]+)"/.exec(response)?.[1];
      const exit = await server.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.match(server.output(), /shutting down: finishing requests in flight/);
      if (database.target.dialect === "sqlite") {
        // SQLite removes the write-ahead log when the last connection closes cleanly (checked before this test opens it).
        assert.equal(fs.existsSync(`${database.target.file}-wal`), false, "the database was closed (no write-ahead log left)");
      }

      const stored = await withDatabase(database, ({ db }) => db.selectFrom("reports").select("reference").execute());
      assert.deepEqual(stored.map((r) => r.reference), [reference], "the finished request's report is stored");
    });
  });
}
