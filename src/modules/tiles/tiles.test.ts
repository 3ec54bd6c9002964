// The map tile store (issue 13, P3 and R1), against a real HTTP tile server on loopback. Tiles
// are fetched ahead, into the database, for a fixed box around the operations' areas; a visitor's
// request is answered from the store or with the same blank, and never reaches the tile server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, signedInClient, testApp } from "../../../test/support/app.ts";
import type { Config } from "../../config.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { startTileFetcher } from "./fetcher.ts";
import { TILE_MAX_ZOOM, TILE_MIN_ZOOM, tileKey, tileX, tileY, type TileKey } from "../../domain/map-tiles.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the tile server sends for a tile: PNG's signature, then the tile's name, all the same length. */
function upstreamTile(key: string): Buffer {
  return Buffer.concat([PNG_SIGNATURE, Buffer.from(key.padEnd(24, "."))]);
}

function square(west: number, south: number, east: number, north: number): number[][] {
  return [[west, south], [east, south], [east, north], [west, north], [west, south]];
}

/** A small target (about 70 m across) with a ring of about 100 m around it. */
function areasAt(longitude: number, latitude: number): { target: Polygonal; buffer: Polygonal } {
  const inner = square(longitude - 0.0005, latitude - 0.0003, longitude + 0.0005, latitude + 0.0003);
  return {
    target: { type: "Polygon", coordinates: [inner] },
    buffer: { type: "Polygon", coordinates: [square(longitude - 0.002, latitude - 0.0012, longitude + 0.002, latitude + 0.0012), [...inner].reverse()] },
  };
}

const tileAt = (longitude: number, latitude: number, zoom: number): TileKey => ({ zoom, x: tileX(longitude, zoom), y: tileY(latitude, zoom) });
const url = (tile: TileKey) => `/tiles/${tile.zoom}/${tile.x}/${tile.y}.png`;

type Behaviour = "redirect" | "endless" | "html-type" | "html-body" | "fails";

/** A real tile server on loopback that records what it is asked, how many at once, and when. */
class TileServer {
  readonly asked: Array<{ path: string; at: number; forwardedFor?: string; cookie?: string }> = [];
  readonly behaviours = new Map<string, Behaviour>();
  mostAtOnce = 0;
  endlessSent = 0;
  endlessClosed = false;
  #atOnce = 0;
  #server = http.createServer((request, response) => this.answer(request, response));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.#server.closeAllConnections();
    this.#server.close();
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.asked.push({ path: request.url!, at: performance.now(), forwardedFor: request.headers["x-forwarded-for"] as string | undefined, cookie: request.headers.cookie });
    this.#atOnce++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.#atOnce);
    response.on("close", () => this.#atOnce--);
    const key = request.url!.replace(/^\/|\.png$/g, "");
    // A little time on the way, as over a real network, so overlapping fetches are seen.
    setTimeout(() => this.send(key, response), 3);
  }

  private send(key: string, response: http.ServerResponse): void {
    switch (this.behaviours.get(key)) {
      case "redirect":
        response.writeHead(302, { location: `${this.base}/internal-secret` }).end();
        return;
      case "endless": {
        response.writeHead(200, { "content-type": "image/png" });
        const chunk = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(64 * 1024 - 8)]);
        response.on("close", () => (this.endlessClosed = true));
        const write = () => {
          while (!response.destroyed && this.endlessSent < 64 * 1024 * 1024) {
            this.endlessSent += chunk.length;
            if (!response.write(chunk)) return void response.once("drain", write);
          }
          response.end();
        };
        write();
        return;
      }
      case "html-type":
        response.writeHead(200, { "content-type": "text/html" }).end("<html>internal page</html>");
        return;
      case "html-body":
        response.writeHead(200, { "content-type": "image/png" }).end("<html>not a tile</html>");
        return;
      case "fails":
        response.writeHead(500).end();
        return;
      default:
        response.writeHead(200, { "content-type": "image/png" }).end(upstreamTile(key));
    }
  }

  base = "";
}

/** Everything a client can tell about an answer, but the date and the CSP's nonces (random in every answer). */
function seen(response: LightMyRequestResponse) {
  const { date: _date, "content-security-policy": policy, ...headers } = response.headers;
  return { status: response.statusCode, headers: { ...headers, policy: String(policy).replace(/'nonce-[0-9a-f]+'/g, "'nonce'") }, body: response.rawPayload.toString("base64") };
}

describeEachDatabase("the map tile store", (context) => {
  const server = new TileServer();
  let app: FastifyInstance;
  let config: Partial<Config>;
  let blank: ReturnType<typeof seen>;
  // The target of the first operation: Ambleside Drive, Southend.
  const home = { longitude: 0.7305, latitude: 51.5352 };
  const elsewhere = { longitude: 0.6, latitude: 51.58 };
  const unannounced = { longitude: 0.47, latitude: 51.735 };

  before(async () => {
    server.base = await server.start();
    config = { tileUrl: `${server.base}/{z}/{x}/{y}.png`, tileFetch: { perSecond: 400, concurrency: 3 } };
    app = await testApp(context(), config);
  });
  after(async () => {
    await app.close();
    server.stop();
  });

  it("never asks the tile server on a visitor's behalf, and answers every tile it does not hold alike", async () => {
    const first = await app.inject(url(tileAt(home.longitude, home.latitude, 19)));
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers["content-type"], "image/png");
    blank = seen(first);
    // One client asking for 200 tiles it has never seen, at every zoom.
    for (let i = 0; i < 200; i++) {
      const zoom = 12 + (i % 8);
      const response = await app.inject({ url: url({ zoom, x: tileX(home.longitude, zoom) + (i % 5), y: tileY(home.latitude, zoom) + (i % 3) }), headers: { cookie: `visitor=${i}` } });
      assert.deepEqual(seen(response), blank);
    }
    // A tile server that redirects to an internal address is never followed there for a visitor.
    const redirecting = tileAt(home.longitude, home.latitude, 16);
    server.behaviours.set(tileKey(redirecting), "redirect");
    assert.deepEqual(seen(await app.inject(url(redirecting))), blank);
    server.behaviours.clear();
    assert.deepEqual(server.asked, [], "the tile server was never asked");
  });

  it("fetches a fixed box around the operations' target and buffer at every zoom, politely, by one instance at a time", async () => {
    await activeOperation(app, "tiles-home", { areas: areasAt(home.longitude, home.latitude) });
    const second = await testApp(context(), config);
    const started = performance.now();
    const [a, b] = await Promise.all([app.services.tiles.fetch(), second.services.tiles.fetch()]);
    const seconds = (performance.now() - started) / 1000;
    await second.close();
    assert.ok((a === null) !== (b === null), "one instance fetches; the other sees it is under way");
    const summary = (a ?? b)!;

    const plan = await app.services.tiles.plan();
    const asked = server.asked.map((request) => request.path.replace(/^\/|\.png$/g, ""));
    assert.deepEqual([...asked].sort(), [...plan.tiles.keys()].sort(), "every tile of the plan, each asked once");
    assert.equal(summary.stored, plan.tiles.size);
    assert.deepEqual(summary.failed, []);
    assert.equal(plan.maxZoom, TILE_MAX_ZOOM);
    for (let zoom = TILE_MIN_ZOOM; zoom <= TILE_MAX_ZOOM; zoom++) {
      assert.ok(plan.tiles.get(tileKey(tileAt(home.longitude, home.latitude, zoom)))?.public, `the target at zoom ${zoom}`);
      // 400 m beyond the buffer's corner is inside the margin; 2 km beyond is not.
      assert.ok(plan.tiles.has(tileKey(tileAt(home.longitude + 0.002 + 0.0057, home.latitude + 0.0012 + 0.0036, zoom))), `the margin at zoom ${zoom}`);
      if (zoom >= 15) assert.ok(!plan.tiles.has(tileKey(tileAt(home.longitude + 0.03, home.latitude + 0.018, zoom))), `beyond the margin at zoom ${zoom}`);
    }
    assert.ok(![...plan.tiles.values()].some((tile) => tile.zoom > TILE_MAX_ZOOM || tile.zoom < TILE_MIN_ZOOM));

    // Polite: no more than three at once, and no faster than 400 a second.
    assert.ok(server.mostAtOnce <= 3, `${server.mostAtOnce} at once`);
    assert.ok(server.mostAtOnce >= 2, "fetches overlap, up to the bound");
    const span = (server.asked.at(-1)!.at - server.asked[0]!.at) / 1000;
    assert.ok(span >= ((server.asked.length - 1) / 400) * 0.9, `${server.asked.length} tiles in ${span.toFixed(2)} s (${seconds.toFixed(2)} s in all)`);
    for (const request of server.asked) {
      assert.equal(request.forwardedFor, undefined);
      assert.equal(request.cookie, undefined);
    }
  });

  it("answers a tile a resident looked at exactly as one nobody looked at, from the store", async () => {
    const centre = tileAt(home.longitude, home.latitude, 18);
    const around = (dx: number) => [-1, 0, 1].flatMap((i) => [-1, 0, 1].map((j) => ({ zoom: 18, x: centre.x + dx + i, y: centre.y + j })));
    const looked = around(0);
    const nobody = around(4);
    const asked = server.asked.length;
    for (const tile of looked) assert.equal((await app.inject({ url: url(tile), headers: { cookie: "resident=1" }, remoteAddress: "203.0.113.9" })).statusCode, 200);

    for (const [index, tile] of looked.entries()) {
      const a = seen(await app.inject(url(tile)));
      const b = seen(await app.inject(url(nobody[index]!)));
      assert.equal(a.status, 200);
      assert.deepEqual({ ...a, body: "" }, { ...b, body: "" }, "same status and headers");
      assert.equal(a.headers["cache-control"], "public, max-age=86400");
      assert.deepEqual(Buffer.from(a.body, "base64"), upstreamTile(tileKey(tile)), "the stored tile");
      assert.deepEqual(Buffer.from(b.body, "base64"), upstreamTile(tileKey(nobody[index]!)), "the stored tile");
    }
    // The box's edge is no secret: past it, and a zoom closer than the store holds, the same blank.
    assert.deepEqual(seen(await app.inject(url({ zoom: 18, x: centre.x + 40, y: centre.y }))), blank);
    assert.deepEqual(seen(await app.inject(url(tileAt(home.longitude, home.latitude, 19)))), blank);
    assert.equal(server.asked.length, asked, "no request reached the tile server");
  });

  it("follows no redirect, stops a tile that is too large, and keeps only images", async () => {
    const operation = await activeOperation(app, "tiles-elsewhere", { areas: areasAt(elsewhere.longitude, elsewhere.latitude) });
    const plan = await app.services.tiles.plan();
    const zoom18 = tileAt(elsewhere.longitude, elsewhere.latitude, 18);
    const bad: Record<Behaviour, TileKey> = {
      redirect: zoom18,
      endless: { ...zoom18, x: zoom18.x + 1 },
      "html-type": { ...zoom18, x: zoom18.x + 2 },
      "html-body": { ...zoom18, x: zoom18.x + 3 },
      fails: { ...zoom18, x: zoom18.x + 4 },
    };
    for (const [behaviour, tile] of Object.entries(bad)) {
      assert.ok(plan.tiles.has(tileKey(tile)));
      server.behaviours.set(tileKey(tile), behaviour as Behaviour);
    }
    const summary = (await app.services.tiles.fetch())!;
    const reasons = Object.fromEntries(summary.failed.map((failure) => [failure.tile, failure.reason]));
    assert.equal(summary.failed.length, 5, JSON.stringify(summary.failed));
    assert.match(reasons[tileKey(bad.redirect)]!, /redirect.*not followed/);
    assert.match(reasons[tileKey(bad.endless)]!, /larger than 1 MB/);
    assert.match(reasons[tileKey(bad["html-type"])]!, /text\/html, not an image/);
    assert.match(reasons[tileKey(bad["html-body"])]!, /not a PNG/);
    assert.match(reasons[tileKey(bad.fails)]!, /answered 500/);
    assert.ok(!server.asked.some((request) => request.path.includes("internal-secret")), "the redirect was not followed");
    assert.ok(server.endlessClosed && server.endlessSent < 16 * 1024 * 1024, `the endless tile was cut off (${server.endlessSent} bytes sent)`);
    for (const tile of Object.values(bad)) assert.deepEqual(seen(await app.inject(url(tile))), blank);
    assert.equal((await app.inject(url({ ...zoom18, y: zoom18.y + 1 }))).rawPayload.subarray(8).toString().replace(/\.+$/, ""), tileKey({ ...zoom18, y: zoom18.y + 1 }));

    // An ended operation's box is given up: its tiles are answered blank again.
    const stored = (await app.services.operations.find(operation))!;
    await app.services.operations.saveDetails(operation, { ...detailsOf(stored), status: "ended", endsOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) });
    const after = (await app.services.tiles.fetch())!;
    assert.ok(after.removed > 0);
    assert.deepEqual(seen(await app.inject(url({ ...zoom18, y: zoom18.y + 1 }))), blank);
  });

  it("keeps an unpublished operation's tiles for staff, and shows them to everyone once it is published", async () => {
    assert.equal(await app.services.tiles.due(), false);
    // As the operation lead's editor makes one: unpublished, its areas drawn.
    const operation = await app.services.areas.createOperation({
      name: "Unannounced",
      startsOn: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
      target: { definition: { kind: "polygon", geometry: areasAt(unannounced.longitude, unannounced.latitude).target } },
      buffer: { definition: { kind: "ring", metres: 100 } },
      comparison: { definition: { kind: "polygon", geometry: areasAt(unannounced.longitude + 0.05, unannounced.latitude).target } },
    });
    assert.ok(await app.services.tiles.due(), "a new operation's areas ask for a fetch");
    await app.services.tiles.fetch();
    assert.equal(await app.services.tiles.due(), false);
    const tile = url(tileAt(unannounced.longitude, unannounced.latitude, 17));
    assert.deepEqual(seen(await app.inject(tile)), blank, "anonymous visitors learn nothing of it");
    const { client: lead } = await signedInClient(app, "operation-lead");
    const forStaff = await app.inject({ url: tile, headers: { cookie: [...lead.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    assert.equal(forStaff.statusCode, 200);
    assert.equal(forStaff.headers["cache-control"], "private, max-age=86400");
    assert.notDeepEqual(seen(forStaff).body, blank.body);

    const asked = server.asked.length;
    const stored = (await app.services.operations.find(operation))!;
    await app.services.operations.saveDetails(operation, { ...detailsOf(stored), published: true });
    assert.ok(await app.services.tiles.due(), "publishing asks for a fetch");
    await app.services.tiles.fetch();
    assert.equal(server.asked.length, asked, "tiles already held are not fetched again");
    const now = seen(await app.inject(tile));
    assert.equal(now.status, 200);
    assert.equal(now.body, seen(forStaff).body);
  });

  it("fetches in the background of the server, at start and when an operation's areas change", async () => {
    const problems: unknown[] = [];
    const runs: string[] = [];
    const fetcher = startTileFetcher(app.services, { info: (_fields, message) => runs.push(message ?? ""), error: (problem) => problems.push(problem) });
    const waitFor = async (done: () => Promise<boolean>) => {
      const until = Date.now() + 15_000;
      while (!(await done()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    try {
      // At start it runs once, and finds every tile held.
      await waitFor(async () => runs.length > 0);
      assert.match(runs[0]!, /Stored 0 new tiles/);
      const place = { longitude: 0.9, latitude: 51.6 };
      await app.services.areas.createOperation({
        name: "Drawn later",
        startsOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
        target: { definition: { kind: "polygon", geometry: areasAt(place.longitude, place.latitude).target } },
        buffer: { definition: { kind: "ring", metres: 100 } },
        comparison: { definition: { kind: "polygon", geometry: areasAt(place.longitude + 0.05, place.latitude).target } },
      });
      const tile = tileAt(place.longitude, place.latitude, 18);
      await waitFor(async () => Boolean(await app.services.tiles.read(tile, { staff: true })));
      assert.ok(await app.services.tiles.read(tile, { staff: true }), "the new area's tiles were fetched without anyone running a command");
      assert.deepEqual(problems, []);
    } finally {
      await fetcher.stop();
    }
  });

  it("refuses coordinates outside the tile grid", async () => {
    assert.equal((await app.inject("/tiles/15/40000/1.png")).statusCode, 400);
    assert.equal((await app.inject("/tiles/25/1/1.png")).statusCode, 400);
    assert.equal((await app.inject("/tiles/a/1/1.png")).statusCode, 400);
  });

  it("answers 404 with a reason when no tile server is configured", async () => {
    const plain = await testApp(context());
    const response = await plain.inject("/tiles/15/1/1.png");
    assert.equal(response.statusCode, 404);
    assert.match(response.json().message, /OPENBEAT_TILE_URL/);
    await plain.close();
  });
});

function detailsOf(operation: { name: string; slug: string; summary: string; objectives: string; categoriesInScope: string; startsOn: string; endsOn: string | null; plannedHoursPerWeek: number; status: string; published: unknown }) {
  return {
    name: operation.name,
    slug: operation.slug,
    summary: operation.summary,
    objectives: JSON.parse(operation.objectives) as string[],
    categoriesInScope: JSON.parse(operation.categoriesInScope) as string[],
    startsOn: operation.startsOn,
    endsOn: operation.endsOn,
    plannedHoursPerWeek: operation.plannedHoursPerWeek,
    status: operation.status as "planned" | "active" | "ended",
    published: Boolean(operation.published),
  };
}

describe("openbeat tiles fetch (command line, SQLite)", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-tiles-cli-"));
  const server = new TileServer();
  let env: NodeJS.ProcessEnv;
  const openbeat = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(root, "bin/openbeat.js"), ...args], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
  before(async () => {
    server.base = await server.start();
    env = {
      ...process.env,
      DATABASE_URL: `sqlite:${path.join(directory, "openbeat.sqlite")}`,
      OPENBEAT_DATA_DIR: directory,
      OPENBEAT_TILE_URL: `${server.base}/{z}/{x}/{y}.png`,
      OPENBEAT_TILE_FETCH_PER_SECOND: "500",
      OPENBEAT_TILE_FETCH_CONCURRENCY: "4",
    };
  });
  after(() => {
    server.stop();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("fetches the box of the operations on the command line, with progress, then finds it fresh", async () => {
    const { target } = areasAt(0.7305, 51.5352);
    fs.writeFileSync(path.join(directory, "target.json"), JSON.stringify(target));
    fs.writeFileSync(path.join(directory, "comparison.json"), JSON.stringify(areasAt(0.78, 51.532).target));
    await openbeat("operations", "create", "--name", "Tiles", "--start", "2018-04-01", "--target-geojson", path.join(directory, "target.json"), "--buffer", "100", "--comparison-geojson", path.join(directory, "comparison.json"));
    const first = await openbeat("tiles", "fetch");
    assert.match(first.stderr, /fetching tiles: \d+ of \d+/);
    const stored = Number(/Stored (\d+) new tiles/.exec(first.stdout)?.[1]);
    assert.ok(stored > 0 && stored === server.asked.length, first.stdout);
    assert.match(first.stdout, /zooms 12 to 18/);
    const second = await openbeat("tiles", "fetch");
    assert.match(second.stdout, /Stored 0 new tiles.*\d+ already held and fresh/s);
    assert.equal(server.asked.length, stored);

    env = { ...env };
    delete env.OPENBEAT_TILE_URL;
    const refused = await openbeat("tiles", "fetch").then(
      () => null,
      (error: { stderr: string; code: number }) => error,
    );
    assert.equal(refused?.code, 2);
    assert.match(refused!.stderr, /OPENBEAT_TILE_URL is not set/);
  });
});
