// Map tiles through openbeat: a resident's browser asks only openbeat, so the tile server never
// sees who is looking at which street; and openbeat answers only from its store, filled ahead for
// a fixed box around the operations' areas (tiles.service.ts), so a tile someone looked at is
// answered exactly as one nobody looked at, and no request reaches the tile server.
import type { FastifyInstance } from "fastify";
import { access, can } from "../auth/policy.ts";
import type { Services } from "../../services.ts";

/** Leaflet may zoom to 19, enlarging the closest tiles kept; nothing is asked past that. */
const MAX_ZOOM = 19;

/** Every tile outside the box: one transparent pixel, which the map stretches over the tile. */
const BLANK_TILE = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNgAAIAAAUAAen63NgAAAAASUVORK5CYII=", "base64");

export function registerTiles(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { z: string; x: string; y: string } }>(
    "/tiles/:z/:x/:y.png",
    { config: { access: access.public }, schema: { hide: true } },
    async (request, reply) => {
      if (!services.config.tileUrl) return reply.status(404).send({ error: "not_found", message: "No tile server is configured: OPENBEAT_TILE_URL is not set" });
      const [zoom, x, y] = [request.params.z, request.params.x, request.params.y].map((v) => (/^\d{1,7}$/.test(v) ? Number(v) : -1)) as [number, number, number];
      if (zoom < 0 || zoom > MAX_ZOOM || x < 0 || y < 0 || x >= 2 ** zoom || y >= 2 ** zoom) {
        return reply.status(400).send({ error: "bad_request", message: "Tile coordinates out of range" });
      }
      // Those who work on operations see the boxes of unpublished ones too (the editor's map).
      const staff = request.staff;
      const signedIn = staff !== null && !(staff.user.twoFactorEnabled && !staff.secondFactorDone);
      const tile = await services.tiles.read({ zoom, x, y }, { staff: signedIn && can(staff!.user.role, "operations:read") });
      // The box changes when operations do: a blank is kept a shorter while than a tile.
      if (!tile) return reply.header("cache-control", "public, max-age=3600").type("image/png").send(BLANK_TILE);
      // A tile of an unpublished operation's box stays out of shared caches.
      return reply.header("cache-control", `${tile.public ? "public" : "private"}, max-age=86400`).type(tile.contentType).send(tile.body);
    },
  );
}
