// Wires repositories to services for one database and configuration. Routes, the CLI and tests
// all take their services from here, so each use case exists once.
import { keyFor, type Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { AuditRepository } from "./modules/audit/audit.repository.ts";
import { AuditService } from "./modules/audit/audit.service.ts";
import { AuthService } from "./modules/auth/auth.service.ts";
import { SessionsRepository } from "./modules/auth/sessions.repository.ts";
import { UsersRepository } from "./modules/auth/users.repository.ts";
import { CategoriesRepository } from "./modules/categories/categories.repository.ts";
import { CategoriesService } from "./modules/categories/categories.service.ts";
import { OperationsRepository } from "./modules/operations/operations.repository.ts";
import { OperationsService } from "./modules/operations/operations.service.ts";
import { RateLimitsRepository } from "./modules/rate-limits/rate-limits.repository.ts";
import { RateLimitsService } from "./modules/rate-limits/rate-limits.service.ts";
import { DraftStore } from "./modules/reports/drafts.ts";
import { ReportsRepository } from "./modules/reports/reports.repository.ts";
import { ReportsService } from "./modules/reports/reports.service.ts";
import { TriageRepository } from "./modules/triage/triage.repository.ts";
import { TriageService } from "./modules/triage/triage.service.ts";
import { UpdatesRepository } from "./modules/updates/updates.repository.ts";
import { UpdatesService } from "./modules/updates/updates.service.ts";

export function createServices(config: Config, database: Database) {
  const { db } = database;
  const audit = new AuditService(new AuditRepository(db, database.dialect), config.auditKey);
  const categories = new CategoriesService(new CategoriesRepository(db));
  const operationsRepository = new OperationsRepository(db);
  const operations = new OperationsService(operationsRepository);
  const reportsRepository = new ReportsRepository(db);
  const contactKey = keyFor(config, "contact-details");
  return {
    config,
    database,
    audit,
    categories,
    operations,
    operationsRepository,
    auth: new AuthService(new UsersRepository(db), new SessionsRepository(db)),
    users: new UsersRepository(db),
    rateLimits: new RateLimitsService(new RateLimitsRepository(db), keyFor(config, "rate-limits")),
    drafts: new DraftStore(db, keyFor(config, "report-drafts")),
    reports: new ReportsService(reportsRepository, categories, operations, audit, {
      receipt: keyFor(config, "receipt-codes"),
      contact: contactKey,
    }),
    triage: new TriageService(new TriageRepository(db), reportsRepository, categories, audit, contactKey),
    updates: new UpdatesService(new UpdatesRepository(db), reportsRepository),
    keys: {
      csrf: keyFor(config, "csrf"),
      clientAddress: keyFor(config, "client-address"),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
