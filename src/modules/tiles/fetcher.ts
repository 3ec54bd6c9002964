// The tile pre-fetch in the background of `serve`: at start, whenever the areas change (here or
// on another instance: the request is in the database), and daily. Every instance runs this loop;
// the lease in the database lets one fetch at a time. Shutting down stops it between two tiles.
import type { Services } from "../../services.ts";
import { describeFetch } from "./tiles.service.ts";

export interface Logger {
  info(object: unknown, message?: string): void;
  error(object: unknown, message?: string): void;
}

export function startTileFetcher(services: Services, logger: Logger, intervalMs = 60_000): { stop(): Promise<void> } {
  if (!services.config.tileUrl) return { stop: async () => {} };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let askedWhileRunning = false;
  const schedule = (delay: number) => {
    if (stopped) return;
    if (running) {
      askedWhileRunning = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delay);
  };
  // At start the fetch runs whatever the database says: it costs no request to the tile server
  // when every tile is held and fresh.
  let first = true;
  const tick = () => {
    timer = null;
    askedWhileRunning = false;
    running = (async () => {
      if (!first && !(await services.tiles.due())) return;
      first = false;
      const summary = await services.tiles.fetch({ stop: () => stopped });
      if (summary) logger.info({ tiles: { stored: summary.stored, refreshed: summary.refreshed, removed: summary.removed, failed: summary.failed.length } }, describeFetch(summary).join(" "));
    })()
      .catch((error: Error) => logger.error({ err: { message: error.message } }, "map tile fetch failed"))
      .finally(() => {
        running = null;
        schedule(askedWhileRunning ? 1000 : intervalMs);
      });
  };
  services.tiles.onRequest(() => schedule(1000));
  schedule(1000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
