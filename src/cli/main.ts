// The openbeat command line. Every command honours DATABASE_URL and explains itself with --help.
// Each command loads the modules it needs when it runs (the command line is bundled with one
// chunk per dynamic import, scripts/cli-bundle.mjs): the police.uk import, for one, loads neither
// the web server nor the other services, and stays under 200 MB however much it imports.
import { Command, CommanderError } from "commander";
import { ConfigError, loadConfig } from "../config.ts";
import { DatabaseSetupError, openDatabase } from "../db/database.ts";
import { prepareDatabase, withDatabase } from "../db/prepare.ts";
import { AppError } from "../http/errors.ts";
import { STAFF_ROLES } from "../modules/auth/policy.ts";
import type { Services } from "../services.ts";
import type { CreateOperationOptions } from "../modules/areas/operations.cli.ts";

async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const { createServices } = await import("../services.ts");
  return withDatabase((config, database) => work(createServices(config, database)));
}

const program = new Command()
  .name("openbeat")
  .description("Run a place-based police operation in the open.\nDATABASE_URL chooses the database: postgres://…, sqlite:PATH or a file path (default data/openbeat.sqlite).")
  .showHelpAfterError();

program
  .command("serve")
  .description("Start the web server (PORT, default 3000). Loads demo data unless OPENBEAT_DEMO=0.")
  // Loaded only for `serve`: the other commands stay small (the import runs in under 200 MB).
  .action(async () => (await import("../main.ts")).serve());

program
  .command("migrate")
  .description("Bring the database schema up to date")
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    try {
      const { migrations, categoriesAdded } = await prepareDatabase(database);
      console.log(migrations.length ? `Applied: ${migrations.join(", ")}` : "The schema is up to date.");
      if (categoriesAdded) console.log(`Added ${categoriesAdded} report categories.`);
    } finally {
      await database.close();
    }
  });

const users = program.command("users").description("Manage staff accounts");
users
  .command("add")
  .description("Create a staff account and print a one-time password, to be changed at first sign-in. The way to add an auditor without a second administrator's approval")
  .requiredOption("--role <role>", `one of: ${STAFF_ROLES.join(", ")}`)
  .requiredOption("--email <email>", "the person's work email address")
  .requiredOption("--name <name>", "the person's name as colleagues know it")
  .action(async (options: { role: string; email: string; name: string }) => {
    await withServices(async (services) => {
      const { email, password } = await services.accounts.createAtCommandLine(options);
      console.log(`Created ${options.role} account for ${email}.`);
      console.log(`One-time password (give it to them securely; they must change it at first sign-in): ${password}`);
    });
  });

program
  .command("demo")
  .description("Load the demo operation, staff accounts and synthetic reports (refused in production)")
  .action(async () => {
    const config = loadConfig();
    if (config.environment === "production") throw new ConfigError("Demo data is refused in production.");
    const { loadDemo, loadRealDataOperation } = await import("../modules/demo/demo.service.ts");
    await withServices(async (services) => {
      const demo = await loadDemo(services);
      await loadRealDataOperation(services, (line) => console.log(line));
      console.log(demo.created ? "Demo data loaded." : "Demo data was already present; staff passwords were reset.");
      const { demoAccountLines } = await import("../modules/demo/accounts.ts");
      for (const line of demoAccountLines(demo.accounts)) console.log(line);
    });
  });

program
  .command("forecast")
  .description("Forecast weekly calls for service from a CSV file (header timestamp,grade or timestamp,grade,area); reads the file only, not the database")
  .argument("<file>", "the CSV file of calls for service")
  .option("--weeks <weeks>", "how many weeks ahead, 1 to 52", "13")
  .option("--json", "print JSON for scripts: { method, scores, weeks: [{ weekStart, emergency, emergency80, … }], notes }")
  .action(async (file: string, options: { weeks: string; json?: boolean }) => (await import("../modules/planner/planner.cli.ts")).forecastCommand(file, options));

const calls = program.command("calls").description("Calls for service, the demand the planner forecasts");
calls
  .command("import")
  .description("Replace an operation's calls for service with those in a CSV file; if any line is wrong, nothing is imported")
  .argument("<file>", "the CSV file of calls for service")
  .requiredOption("--operation <id>", "the operation's number")
  .action(async (file: string, options: { operation: string }) => {
    const { importCallsCommand } = await import("../modules/planner/planner.cli.ts");
    await withServices((services) => importCallsCommand(services, file, options.operation));
  });

const imports = program.command("import").description("Import data from outside openbeat");
imports
  .command("police-uk")
  .description("Import police.uk street-level crime and outcomes CSV files (files, monthly folders or zip archives); a file is imported whole or not at all")
  .argument("<paths...>", "CSV files, folders of them, or zip archives")
  .option("--json", "print the summary as JSON")
  .action(async (paths: string[], options: { json?: boolean }) => {
    const { importPoliceUkCommand } = await import("../modules/imports/imports.cli.ts");
    process.exitCode = await importPoliceUkCommand(paths, options);
  });

const operations = program.command("operations").description("Operations and their areas");
operations
  .command("create")
  .description("Create an operation with a target, a buffer ring and a comparison area, and print its id")
  .requiredOption("--name <name>", "the operation's name")
  .requiredOption("--start <date>", "the day it starts, YYYY-MM-DD")
  .option("--end <date>", "the day it ends, YYYY-MM-DD")
  .option("--target-lsoas <codes>", "target area as LSOA codes, comma-separated")
  .option("--target-geojson <file>", "target area as a GeoJSON polygon")
  .option("--buffer <metres>", "buffer: a ring this wide around the target")
  .option("--buffer-geojson <file>", "buffer as a GeoJSON polygon")
  .option("--comparison-lsoas <codes>", "comparison area as LSOA codes, comma-separated")
  .option("--comparison-geojson <file>", "comparison area as a GeoJSON polygon")
  .action(async (options: CreateOperationOptions) => {
    const { createOperationCommand } = await import("../modules/areas/operations.cli.ts");
    await withServices((services) => createOperationCommand(services, options));
  });

program
  .command("evaluate")
  .description("Evaluate an operation against police.uk data: odds ratio, displacement, outcomes and a verdict")
  .argument("<operation>", "the operation's id or slug")
  .option("--json", "print the evaluation as JSON")
  .action(async (operation: string, options: { json?: boolean }) => {
    const { evaluateCommand } = await import("../modules/evaluation/evaluation.cli.ts");
    await withServices((services) => evaluateCommand(services, operation, options));
  });

const audit = program.command("audit").description("The tamper-evident audit log of access to personal data");
audit
  .command("anchor")
  .description("Print the current head of the audit chain, to keep outside openbeat (a later verify checks against it)")
  .action(async () => {
    const { formatAnchor } = await import("../modules/audit/audit.service.ts");
    await withServices(async (services) => {
      const anchor = await services.audit.anchor();
      console.log(anchor ? `${formatAnchor(anchor)}  (event ${anchor.eventId} at ${anchor.at})` : "The audit log is empty.");
    });
  });
audit
  .command("verify")
  .description("Check the whole chain (and any anchors kept outside); names the first broken link")
  .option("--anchor <anchor...>", "anchors printed earlier by `openbeat audit anchor`")
  .action(async (options: { anchor?: string[] }) => {
    const { parseAnchor } = await import("../modules/audit/audit.service.ts");
    const anchors = (options.anchor ?? []).map((text) => {
      const anchor = parseAnchor(text);
      if (!anchor) throw new ConfigError(`"${text}" is not an anchor: expected openbeat-audit-anchor:ID:HASH`);
      return anchor;
    });
    await withServices(async (services) => {
      const result = await services.audit.verify(anchors);
      if (result.ok) {
        console.log(`The audit log verifies: ${result.events} events, head ${result.head}.`);
        return;
      }
      console.error(`The audit log does NOT verify: event ${result.brokenAt}: ${result.problem}.`);
      process.exitCode = 3;
    });
  });

program
  .command("retention")
  .description("Retention of personal data")
  .command("run")
  .description("Erase or anonymise what is due (contact details, report detail, exact points, vehicle sightings, sealed audit segments); each erasure is logged")
  .action(async () => {
    await withServices(async (services) => {
      const summary = await services.retention.run();
      console.log(JSON.stringify(summary, null, 2));
    });
  });

program
  .command("tiles")
  .description("Map tiles, kept in the database for a box around the operations' areas (OPENBEAT_TILE_URL)")
  .command("fetch")
  .description("Fetch the tiles of the box now (the server does this at start and whenever areas change); exits 3 if some tiles could not be fetched")
  .action(async () => {
    const { fetchTilesCommand } = await import("../modules/tiles/tiles.cli.ts");
    process.exitCode = await withServices((services) => fetchTilesCommand(services));
  });

const clients = program.command("clients").description("Apps that post residents' reports through Open311");
clients
  .command("add")
  .description("Register an app whose operator has accepted the terms (shown at /open311), and print its API key once")
  .argument("<name>", "the app's name, as administrators will see it")
  .action(async (name: string) => {
    await withServices(async (services) => {
      const { id, key } = await services.tokens.addClient(name, null);
      console.log(`Registered client app ${id}: ${name.trim()}.`);
      console.log(`API key (shown once; give it to the app's operator securely): ${key}`);
    });
  });
clients
  .command("revoke")
  .description("Revoke an app's API key at once")
  .argument("<id>", "the app's number, as printed by clients add or shown at /staff/api-clients")
  .action(async (id: string) => {
    await withServices(async (services) => {
      const client = await services.tokens.revokeClient(Number(id) || 0);
      console.log(`Revoked the key of client app ${client.id}: ${client.name}.`);
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ConfigError || error instanceof AppError || error instanceof DatabaseSetupError) {
    console.error(`openbeat: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
