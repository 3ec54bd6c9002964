// The map tile store: what to keep (a fixed box around the operations' areas, see
// domain/map-tiles.ts), keeping it (a fetch run by one instance at a time, in the background at
// start and whenever the areas change, or by `openbeat tiles fetch`), and answering a tile from
// it. A visitor's request only ever reads the store: it can neither cause a fetch nor change
// what is stored, so how a tile is answered says nothing about who looked at it before.
import crypto from "node:crypto";
import type { Config } from "../../config.ts";
import { fromJson } from "../../db/database.ts";
import type { Polygonal } from "../../domain/geo.ts";
import { boundsOfParts, MAX_TILES, planTiles, TILE_MARGIN_METRES, TILE_MAX_ZOOM, tileKey, widen, type PlannedTile, type TileKey, type TilePlan } from "../../domain/map-tiles.ts";
import type { StoredTile, TilesRepository } from "./tiles.repository.ts";
import { fetchTile, paced, TileRefused, tileUrl, type Pace } from "./upstream.ts";

/** A tile fetched this long ago is fetched again (and kept as it was if that fails). */
const REFRESH_AFTER_DAYS = 30;
/** Even with no change of areas, a fetch runs daily: operations end, and tiles age. */
const FETCH_AT_LEAST_EVERY_HOURS = 24;
/** How long a fetch holds the lease before renewing it; an instance that dies frees it after this. */
const LEASE_SECONDS = 60;

export interface TileSettings {
  /** The tile server's template (https://…/{z}/{x}/{y}.png), or null when there is none. */
  url: string | null;
  pace: Pace;
  userAgent: string;
}

export function tileSettings(config: Pick<Config, "tileUrl" | "tileFetch" | "publicUrl">): TileSettings {
  return {
    url: config.tileUrl,
    pace: config.tileFetch,
    // Tile servers ask to be told who is fetching (OpenStreetMap's policy does): the deployment, not a visitor.
    userAgent: `openbeat tile pre-fetch${config.publicUrl ? ` (${config.publicUrl})` : ""}`,
  };
}

export interface TileFetchSummary {
  /** Areas whose boxes were covered, and the plan for them. */
  areas: number;
  planned: number;
  perZoom: TilePlan["perZoom"];
  maxZoom: number;
  stored: number;
  refreshed: number;
  fresh: number;
  removed: number;
  failed: Array<{ tile: string; reason: string }>;
}

export interface TileFetchOptions {
  progress?: (done: number, total: number) => void;
  /** Asked between tiles: true stops the fetch early (the server is shutting down). */
  stop?: () => boolean;
}

export class TilesService {
  readonly #holder = crypto.randomUUID();
  readonly #listeners: Array<() => void> = [];

  constructor(
    private readonly repository: TilesRepository,
    readonly settings: TileSettings,
  ) {}

  /** The tiles to keep now: every box of operations that have not ended; public where the operation is published. */
  async plan(now: Date = new Date()): Promise<TilePlan & { areas: number }> {
    const areas = await this.repository.areasToFetch(now.toISOString().slice(0, 10));
    const covered = areas.flatMap((area) =>
      boundsOfParts(fromJson<Polygonal>(area.geometry, { type: "Polygon", coordinates: [] })).map((bounds) => ({
        bounds: widen(bounds, TILE_MARGIN_METRES),
        // The comparison area is on no public map; its box is for the operation lead's editor.
        public: area.published && area.role !== "comparison",
      })),
    );
    return { ...planTiles(covered), areas: areas.length };
  }

  /** Asks for a fetch (the areas changed): whichever instance runs the fetcher next picks it up. */
  async request(): Promise<void> {
    await this.repository.request();
    for (const listener of this.#listeners) listener();
  }

  onRequest(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Whether a fetch is asked for, or the last one is a day old. */
  async due(now: Date = new Date()): Promise<boolean> {
    const state = await this.repository.state();
    if (state.requested > state.done || !state.finishedAt) return true;
    return now.getTime() - Date.parse(state.finishedAt) > FETCH_AT_LEAST_EVERY_HOURS * 3_600_000;
  }

  /** A tile from the store, or null (answered with the blank tile). Staff also see unpublished operations' boxes. */
  read(tile: TileKey, options: { staff: boolean }): Promise<StoredTile | undefined> {
    return this.repository.find(tile, options);
  }

  /**
   * Brings the store in line with the plan: removes what no box holds, fetches what is missing
   * or a month old, politely. Null when another instance holds the lease (it is fetching now,
   * and takes in any request made meanwhile before it lets go).
   */
  async fetch(options: TileFetchOptions = {}): Promise<TileFetchSummary | null> {
    const template = this.settings.url;
    if (!template) throw new Error("OPENBEAT_TILE_URL is not set: there is no tile server to fetch from");
    const leaseUntil = () => new Date(Date.now() + LEASE_SECONDS * 1000).toISOString();
    const answering = await this.repository.lease(this.#holder, new Date().toISOString(), leaseUntil());
    if (answering === null) return null;
    try {
      const now = new Date();
      const plan = await this.plan(now);
      const held = new Map((await this.repository.held()).map((tile) => [tileKey(tile), tile]));
      const removed = [...held.entries()].filter(([key]) => !plan.tiles.has(key)).map(([, tile]) => tile);
      const flagged = [...plan.tiles.entries()].flatMap(([key, tile]) => (held.has(key) && held.get(key)!.public !== tile.public ? [tile] : []));
      await this.repository.reconcile(removed, flagged);

      const staleBefore = new Date(now.getTime() - REFRESH_AFTER_DAYS * 86_400_000).toISOString();
      const missing: PlannedTile[] = [];
      const stale: PlannedTile[] = [];
      for (const [key, tile] of plan.tiles) {
        const stored = held.get(key);
        if (!stored) missing.push(tile);
        else if (stored.fetchedAt < staleBefore) stale.push(tile);
      }
      const queue = [...missing, ...stale];
      const summary: TileFetchSummary = {
        areas: plan.areas,
        planned: plan.tiles.size,
        perZoom: plan.perZoom,
        maxZoom: plan.maxZoom,
        stored: 0,
        refreshed: 0,
        fresh: plan.tiles.size - queue.length,
        removed: removed.length,
        failed: [],
      };
      let done = 0;
      let lost = false;
      let renewedAt = Date.now();
      options.progress?.(0, queue.length);
      await paced(
        queue,
        this.settings.pace,
        async (tile) => {
          try {
            const fetched = await fetchTile(tileUrl(template, tile.zoom, tile.x, tile.y), this.settings.userAgent);
            await this.repository.save({ ...tile, ...fetched, fetchedAt: new Date().toISOString() });
            if (held.has(tileKey(tile))) summary.refreshed++;
            else summary.stored++;
          } catch (error) {
            if (!(error instanceof TileRefused)) throw error;
            summary.failed.push({ tile: tileKey(tile), reason: error.message });
          }
          options.progress?.(++done, queue.length);
          if (Date.now() - renewedAt > (LEASE_SECONDS * 1000) / 3) {
            renewedAt = Date.now();
            lost = !(await this.repository.renew(this.#holder, leaseUntil()));
          }
        },
        () => lost || Boolean(options.stop?.()),
      );
      if (lost) throw new Error("The tile fetch lost its lease (it ran out) and stopped; another instance is fetching now");
      if (options.stop?.()) {
        await this.repository.release(this.#holder);
        return summary;
      }
      await this.repository.finish(this.#holder, answering, new Date().toISOString());
      return summary;
    } catch (error) {
      await this.repository.release(this.#holder).catch(() => {});
      throw error;
    }
  }
}

/** The summary in words, for the command line and the server's log. */
export function describeFetch(summary: TileFetchSummary): string[] {
  const n = (value: number) => value.toLocaleString("en-GB");
  const widest = summary.perZoom[0]?.zoom;
  const lines = [
    `Stored ${n(summary.stored)} new tiles and refreshed ${n(summary.refreshed)}; ${n(summary.fresh)} already held and fresh; removed ${n(summary.removed)} that no operation's box holds now.`,
    summary.planned
      ? `The box around ${summary.areas} area${summary.areas === 1 ? "" : "s"} takes ${n(summary.planned)} tiles, zooms ${widest} to ${summary.maxZoom}.`
      : "No operation that has not ended has areas yet: there are no tiles to keep.",
  ];
  if (summary.planned && summary.maxZoom < TILE_MAX_ZOOM) {
    lines.push(`Zooms ${summary.maxZoom + 1} to ${TILE_MAX_ZOOM} are left out: they would take the store past ${n(MAX_TILES)} tiles. Maps show blank tiles closer than zoom ${summary.maxZoom}.`);
  }
  if (summary.failed.length) {
    lines.push(`${n(summary.failed.length)} tiles were not kept (they are answered blank, and fetched again next time):`);
    for (const failure of summary.failed.slice(0, 20)) lines.push(`  ${failure.tile}: the tile server ${failure.reason}`);
    if (summary.failed.length > 20) lines.push(`  … and ${n(summary.failed.length - 20)} more`);
  }
  return lines;
}
