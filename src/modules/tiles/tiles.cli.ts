// `openbeat tiles fetch`: the tile pre-fetch in the foreground, with its progress (a bar on a
// terminal, a line every few seconds otherwise) and what it kept and refused.
import cliProgress from "cli-progress";
import { ConfigError } from "../../config.ts";
import type { Services } from "../../services.ts";
import { describeFetch } from "./tiles.service.ts";

export async function fetchTilesCommand(services: Services, stream: NodeJS.WriteStream = process.stderr): Promise<number> {
  if (!services.config.tileUrl) {
    throw new ConfigError("OPENBEAT_TILE_URL is not set: set it to a tile server that allows fetching a neighbourhood's tiles ahead (https://…/{z}/{x}/{y}.png)");
  }
  const bar = stream.isTTY ? new cliProgress.SingleBar({ stream, format: "{bar} {value} of {total} tiles", hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
  let lastLine = 0;
  const summary = await services.tiles.fetch({
    progress(done, total) {
      if (bar) {
        if (done === 0) bar.start(total, 0);
        else bar.update(done);
        return;
      }
      if (done > 0 && done < total && Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      stream.write(`fetching tiles: ${done} of ${total}\n`);
    },
  });
  bar?.stop();
  if (!summary) {
    console.error("Another openbeat instance is fetching tiles now, and will take in any change made meanwhile. Run this again once it has finished, if need be.");
    return 1;
  }
  for (const line of describeFetch(summary)) console.log(line);
  return summary.failed.length ? 3 : 0;
}
