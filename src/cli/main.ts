// The openbeat command line. Every command honours DATABASE_URL and explains itself with --help.
import { Command, CommanderError } from "commander";
import { ConfigError, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { prepareDatabase } from "../db/prepare.ts";
import { createServices } from "../services.ts";
import { AppError } from "../http/errors.ts";
import { STAFF_ROLES } from "../modules/auth/policy.ts";
import { loadDemo } from "../modules/demo/demo.service.ts";
import { serve } from "../main.ts";

async function withServices<T>(work: (services: ReturnType<typeof createServices>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await prepareDatabase(database);
    return await work(createServices(config, database));
  } finally {
    await database.close();
  }
}

const program = new Command()
  .name("openbeat")
  .description("Run a place-based police operation in the open.\nDATABASE_URL chooses the database: postgres://…, sqlite:PATH or a file path (default data/openbeat.sqlite).")
  .showHelpAfterError();

program
  .command("serve")
  .description("Start the web server (PORT, default 3000). Loads demo data unless OPENBEAT_DEMO=0.")
  .action(async () => serve());

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
  .description("Create a staff account and print a one-time password, to be changed at first sign-in")
  .requiredOption("--role <role>", `one of: ${STAFF_ROLES.join(", ")}`)
  .requiredOption("--email <email>", "the person's work email address")
  .requiredOption("--name <name>", "the person's name as colleagues know it")
  .action(async (options: { role: string; email: string; name: string }) => {
    await withServices(async (services) => {
      const { password } = await services.auth.addUser(options);
      console.log(`Created ${options.role} account for ${options.email.trim().toLowerCase()}.`);
      console.log(`One-time password (give it to them securely; they must change it at first sign-in): ${password}`);
    });
  });

program
  .command("demo")
  .description("Load the demo operation, staff accounts and synthetic reports (refused in production)")
  .action(async () => {
    const config = loadConfig();
    if (config.environment === "production") throw new ConfigError("Demo data is refused in production.");
    await withServices(async (services) => {
      const demo = await loadDemo(services);
      console.log(demo.created ? "Demo data loaded." : "Demo data was already present; staff passwords were reset.");
      for (const account of demo.accounts) console.log(`  ${account.role.padEnd(18)} ${account.email.padEnd(34)} ${account.password}`);
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ConfigError || error instanceof AppError) {
    console.error(`openbeat: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
