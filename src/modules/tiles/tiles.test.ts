import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";

// A one-pixel PNG, served by a real HTTP tile server on loopback.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

describe("the map tile proxy", () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let upstream: http.Server;
  const asked: Array<{ url: string; forwardedFor: string | undefined; cookie: string | undefined }> = [];
  before(async () => {
    upstream = http.createServer((request, response) => {
      asked.push({ url: request.url!, forwardedFor: request.headers["x-forwarded-for"] as string | undefined, cookie: request.headers.cookie });
      if (request.url === "/15/99/99.png") {
        response.writeHead(500).end();
        return;
      }
      response.writeHead(200, { "content-type": "image/png" }).end(PNG);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const { port } = upstream.address() as AddressInfo;
    test = await createTestDatabase("sqlite");
    app = await testApp(test, { tileUrl: `http://127.0.0.1:${port}/{z}/{x}/{y}.png` });
  });
  after(async () => {
    await app.close();
    await test.drop();
    upstream.close();
  });

  it("fetches a tile once, caches it, and tells the tile server nothing about the visitor", async () => {
    const headers = { "x-forwarded-for": "203.0.113.50", cookie: "ob_session=secret" };
    const first = await app.inject({ url: "/tiles/15/16418/10896.png", headers });
    const second = await app.inject({ url: "/tiles/15/16418/10896.png", headers });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers["content-type"], "image/png");
    assert.deepEqual(first.rawPayload, PNG);
    assert.deepEqual(second.rawPayload, PNG);
    assert.equal(asked.filter((a) => a.url === "/15/16418/10896.png").length, 1, "the second request is served from the cache");
    for (const request of asked) {
      assert.equal(request.forwardedFor, undefined);
      assert.equal(request.cookie, undefined);
    }
  });

  it("refuses coordinates outside the tile grid, and says when the tile server fails", async () => {
    assert.equal((await app.inject("/tiles/15/40000/1.png")).statusCode, 400);
    assert.equal((await app.inject("/tiles/25/1/1.png")).statusCode, 400);
    assert.equal((await app.inject("/tiles/a/1/1.png")).statusCode, 400);
    const failed = await app.inject("/tiles/15/99/99.png");
    assert.equal(failed.statusCode, 502);
    assert.match(failed.json().message, /tile server did not answer/);
  });

  it("answers 404 with a reason when no tile server is configured", async () => {
    const plain = await testApp(test);
    const response = await plain.inject("/tiles/15/1/1.png");
    assert.equal(response.statusCode, 404);
    assert.match(response.json().message, /OPENBEAT_TILE_URL/);
    await plain.close();
  });
});
