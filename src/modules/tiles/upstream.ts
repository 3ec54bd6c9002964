// Fetching tiles from a tile server openbeat does not control, with the limits that needs: no
// redirect is followed (a 302 to an internal address was once fetched and served as image/png),
// no more than MAX_TILE_BYTES is read (three 200 MB "tiles" once took the process to 1.59 GB),
// only images are kept, and the server is asked politely: a bounded number at once, at a
// bounded rate. Only the pre-fetch calls this, never a visitor's request.

export const MAX_TILE_BYTES = 1024 * 1024;
const TIMEOUT_SECONDS = 10;

/** The first bytes of each image type a tile may be. */
const SIGNATURES: Record<string, { name: string; matches: (body: Buffer) => boolean }> = {
  "image/png": { name: "PNG", matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  "image/jpeg": { name: "JPEG", matches: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) },
  "image/webp": { name: "WebP", matches: (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP" },
};

/** Why a tile was not kept, in words for whoever runs openbeat. */
export class TileRefused extends Error {}

export interface FetchedTile {
  contentType: string;
  body: Buffer;
}

export function tileUrl(template: string, zoom: number, x: number, y: number): string {
  return template.replace("{z}", String(zoom)).replace("{x}", String(x)).replace("{y}", String(y));
}

export async function fetchTile(url: string, userAgent: string): Promise<FetchedTile> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "manual", headers: { "user-agent": userAgent, accept: "image/png,image/webp,image/jpeg" }, signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new TileRefused((error as Error).name === "TimeoutError" ? `did not answer within ${TIMEOUT_SECONDS} s` : `could not be reached (${cause ?? (error as Error).message})`);
  }
  try {
    if (response.status >= 300 && response.status < 400) throw new TileRefused(`answered ${response.status}, a redirect, which is not followed`);
    if (response.status !== 200) throw new TileRefused(`answered ${response.status}`);
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const image = SIGNATURES[type];
    if (!image) throw new TileRefused(`sent ${type || "no content type"}, not an image (PNG, JPEG or WebP)`);
    if (Number(response.headers.get("content-length") ?? 0) > MAX_TILE_BYTES) throw new TileRefused(tooLarge());
    const body = await readAtMost(response, MAX_TILE_BYTES);
    if (!image.matches(body)) throw new TileRefused(`said ${type}, but what it sent is not a ${image.name} image`);
    return { contentType: type, body };
  } finally {
    // Whatever was not read is not wanted: close the connection rather than drain it.
    await response.body?.cancel().catch(() => {});
  }
}

function tooLarge(): string {
  return `sent a tile larger than ${MAX_TILE_BYTES / 1024 / 1024} MB, far more than a map tile needs; stopped reading`;
}

async function readAtMost(response: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > limit) throw new TileRefused(tooLarge());
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export interface Pace {
  /** Fetches started a second, at most. */
  perSecond: number;
  /** Fetches under way at once, at most. */
  concurrency: number;
}

/**
 * Runs `work` on each item, starting no more than `pace` allows; stops taking items once `stop()`
 * says so, or once a `work` fails (that failure is thrown when the others under way have ended).
 */
export async function paced<T>(items: T[], pace: Pace, work: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  const interval = 1000 / pace.perSecond;
  let next = 0;
  let index = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (index < items.length && !failure && !stop()) {
      const item = items[index++]!;
      const now = performance.now();
      const wait = Math.max(0, next - now);
      next = Math.max(now, next) + interval;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, pace.concurrency) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}
