// config → open database → migrate → (demo) → listen. Stops gracefully on SIGTERM/SIGINT:
// no new connections, in-flight requests finish, then the database closes.
import { loadConfig, type Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { prepareDatabase } from "./db/prepare.ts";
import { buildApp } from "./app.ts";
import { loadDemo, loadRealDataOperation } from "./modules/demo/demo.service.ts";
import { demoAccountLines } from "./modules/demo/accounts.ts";
import { startMailSender } from "./modules/alerts/sender.ts";
import { startTileFetcher } from "./modules/tiles/fetcher.ts";

export async function serve(config: Config = loadConfig(process.env, { terminal: Boolean(process.stdout.isTTY) })): Promise<void> {
  const database = await openDatabase(config.database);
  await prepareDatabase(database);
  const app = await buildApp({ config, database });
  if (config.demo) {
    const demo = await loadDemo(app.services);
    await loadRealDataOperation(app.services, (line) => console.log(line));
    const lines = demoAccountLines(demo.accounts);
    console.log(
      [
        "",
        demo.created ? "Demo data loaded (synthetic, clearly marked)." : "Demo data already present.",
        "Demo staff accounts (passwords are new at every start; demo only, never in production):",
        ...lines,
        "",
      ].join("\n"),
    );
  }
  // Email alerts go out from the queue in the database, so nothing is lost across restarts.
  const mailSender = startMailSender(app.services, app.log);
  // Map tiles for the operations' areas are fetched ahead, never on a visitor's request.
  const tileFetcher = startTileFetcher(app.services, app.log);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: finishing requests in flight");
    await Promise.all([mailSender.stop(), tileFetcher.stop()]);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  await app.listen({ port: config.port, host: config.host });
  const shown = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`openbeat is running on ${database.dialect === "sqlite" ? `SQLite (${config.database.dialect === "sqlite" ? config.database.file : ""})` : "PostgreSQL"}: open http://${shown}:${port}/`);
}
