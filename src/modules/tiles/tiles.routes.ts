// Map tiles through openbeat: a resident's browser asks only openbeat, so the tile server
// never sees who is looking at which street. Tiles are cached on disk and served from there.
import fs from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";

const CACHE_DAYS = 30;
const MAX_ZOOM = 19;

export function registerTiles(app: FastifyInstance, services: Services): void {
  const upstream = services.config.tileUrl;
  const cacheDirectory = path.join(services.config.dataDirectory, "tiles");
  const inFlight = new Map<string, Promise<Buffer | null>>();

  async function fetchTile(z: number, x: number, y: number): Promise<Buffer | null> {
    const file = path.join(cacheDirectory, String(z), String(x), `${y}.png`);
    try {
      const stat = await fs.stat(file);
      if (Date.now() - stat.mtimeMs < CACHE_DAYS * 86_400_000) return await fs.readFile(file);
    } catch {
      // Not cached yet.
    }
    const url = upstream!.replace("{z}", String(z)).replace("{x}", String(x)).replace("{y}", String(y));
    const response = await fetch(url, { headers: { "user-agent": "openbeat tile proxy" }, signal: AbortSignal.timeout(8000) });
    if (!response.ok) return null;
    const tile = Buffer.from(await response.arrayBuffer());
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, tile);
    return tile;
  }

  app.get<{ Params: { z: string; x: string; y: string } }>(
    "/tiles/:z/:x/:y.png",
    { config: { access: access.public }, schema: { hide: true } },
    async (request, reply) => {
      if (!upstream) return reply.status(404).send({ error: "not_found", message: "No tile server is configured: OPENBEAT_TILE_URL is not set" });
      const [z, x, y] = [request.params.z, request.params.x, request.params.y].map((v) => (/^\d{1,7}$/.test(v) ? Number(v) : -1)) as [number, number, number];
      if (z < 0 || z > MAX_ZOOM || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) {
        return reply.status(400).send({ error: "bad_request", message: "Tile coordinates out of range" });
      }
      const key = `${z}/${x}/${y}`;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchTile(z, x, y).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      let tile: Buffer | null;
      try {
        tile = await pending;
      } catch {
        tile = null;
      }
      if (!tile) return reply.status(502).send({ error: "tile_unavailable", message: "The tile server did not answer" });
      return reply.header("cache-control", "public, max-age=86400").type("image/png").send(tile);
    },
  );
}
