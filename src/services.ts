// Wires repositories to services for one database and configuration. Routes, the CLI and tests
// all take their services from here, so each use case exists once.
import { keyFor, type Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { ActivityRepository } from "./modules/activity/activity.repository.ts";
import { ActivityService } from "./modules/activity/activity.service.ts";
import { AreasRepository } from "./modules/areas/areas.repository.ts";
import { AreasService } from "./modules/areas/areas.service.ts";
import { RetentionRepository } from "./modules/retention/retention.repository.ts";
import { RetentionService } from "./modules/retention/retention.service.ts";
import { retentionPolicy } from "./domain/retention.ts";
import { AuditRepository } from "./modules/audit/audit.repository.ts";
import { AuditService } from "./modules/audit/audit.service.ts";
import { AuthService } from "./modules/auth/auth.service.ts";
import { SessionsRepository } from "./modules/auth/sessions.repository.ts";
import { UsersRepository } from "./modules/auth/users.repository.ts";
import { ApprovalsRepository } from "./modules/admin/approvals.repository.ts";
import { StaffAccountsService } from "./modules/admin/users.service.ts";
import { CategoriesRepository } from "./modules/categories/categories.repository.ts";
import { CategoriesService } from "./modules/categories/categories.service.ts";
import { EvaluationRepository } from "./modules/evaluation/evaluation.repository.ts";
import { EvaluationService } from "./modules/evaluation/evaluation.service.ts";
import { ImportsRepository } from "./modules/imports/imports.repository.ts";
import { ImportsService } from "./modules/imports/imports.service.ts";
import { OperationsRepository } from "./modules/operations/operations.repository.ts";
import { OperationsService } from "./modules/operations/operations.service.ts";
import { PartnersRepository } from "./modules/partners/partners.repository.ts";
import { PartnersService } from "./modules/partners/partners.service.ts";
import { PlannerRepository } from "./modules/planner/planner.repository.ts";
import { PlannerService } from "./modules/planner/planner.service.ts";
import { RateLimitsRepository } from "./modules/rate-limits/rate-limits.repository.ts";
import { RateLimitsService } from "./modules/rate-limits/rate-limits.service.ts";
import { WriteBatcher } from "./db/write-batcher.ts";
import { DraftStore } from "./modules/reports/drafts.ts";
import { ReportsRepository } from "./modules/reports/reports.repository.ts";
import { ReportsService } from "./modules/reports/reports.service.ts";
import { SafeguardingRepository } from "./modules/safeguarding/safeguarding.repository.ts";
import { SafeguardingService } from "./modules/safeguarding/safeguarding.service.ts";
import { TriageRepository } from "./modules/triage/triage.repository.ts";
import { TriageService } from "./modules/triage/triage.service.ts";
import { UpdatesRepository } from "./modules/updates/updates.repository.ts";
import { UpdatesService } from "./modules/updates/updates.service.ts";
import { DashboardRepository, markDashboardStale } from "./modules/dashboard/dashboard.repository.ts";
import { DashboardService } from "./modules/dashboard/dashboard.service.ts";
import { StaffHomeService } from "./modules/staff-home/staff-home.service.ts";
import { DisclosureRepository } from "./modules/disclosure/disclosure.repository.ts";
import { DisclosureService } from "./modules/disclosure/disclosure.service.ts";
import { VehiclesRepository } from "./modules/vehicles/vehicles.repository.ts";
import { VehiclesService } from "./modules/vehicles/vehicles.service.ts";
import { TokensRepository } from "./modules/tokens/tokens.repository.ts";
import { TokensService } from "./modules/tokens/tokens.service.ts";
import { Open311Service } from "./modules/open311/open311.service.ts";
import { AlertsRepository } from "./modules/alerts/alerts.repository.ts";
import { AlertsService } from "./modules/alerts/alerts.service.ts";
import { MailService } from "./modules/alerts/mail.ts";
import { TilesRepository } from "./modules/tiles/tiles.repository.ts";
import { TilesService, tileSettings } from "./modules/tiles/tiles.service.ts";

export function createServices(config: Config, database: Database) {
  const { db } = database;
  const retentionRules = retentionPolicy();
  const audit = new AuditService(new AuditRepository(db, database.dialect), config.auditKey, retentionRules);
  const categories = new CategoriesService(new CategoriesRepository(db));
  // The one gate between stored rows and every public figure or place.
  const disclosure = new DisclosureService(new DisclosureRepository(db), categories);
  const operationsRepository = new OperationsRepository(db);
  // An operation published, ended or moved in time changes the box of map tiles to keep.
  const tiles = new TilesService(new TilesRepository(db), tileSettings(config));
  const operations = new OperationsService(operationsRepository, () => tiles.request());
  const reportsRepository = new ReportsRepository(db);
  const contactKey = keyFor(config, "contact-details");
  const triage = new TriageService(new TriageRepository(db), reportsRepository, categories, audit, contactKey);
  const partners = new PartnersService(new PartnersRepository(db), new UsersRepository(db), audit, keyFor(config, "safeguarding"));
  const safeguarding = new SafeguardingService(new SafeguardingRepository(db), new PartnersRepository(db), audit, keyFor(config, "safeguarding"));
  // Setting or changing an operation's areas records a new version of its evaluation design.
  const areas = new AreasService(new AreasRepository(db), async (operationId, reason, userId) => {
    await evaluation.recordDesign(operationId, reason, userId);
    await markDashboardStale(db, operationId);
    await tiles.request();
  });
  const activity = new ActivityService(new ActivityRepository(db), operations, audit, keyFor(config, "enforcement-subjects"));
  const dashboardRepository = new DashboardRepository(db);
  const evaluation = new EvaluationService(
    new EvaluationRepository(db),
    operationsRepository,
    areas,
    categories,
    (id, from, to) => activity.totals(id, from, to),
    (id) => disclosure.inputsOf(id),
  );
  const vehicles = new VehiclesService(new VehiclesRepository(db), operations, operationsRepository, audit, keyFor(config, "vehicle-keepers"), { deployment: config.deployment });
  const retention = new RetentionService(new RetentionRepository(db), audit, retentionRules);
  retention.addStep({
    name: "vehicleSightings",
    run: async (now) => {
      const erased = await vehicles.eraseExpiredSightings(now);
      return erased.sightings + erased.keepers;
    },
  });
  // One group-commit queue per database: reports and rate-limit counts share commits (SQLite;
  // PostgreSQL commits concurrent transactions together by itself, see WriteBatcher).
  const writes = new WriteBatcher(db, { batch: database.dialect === "sqlite" });
  const rateLimits = new RateLimitsService(new RateLimitsRepository(db), keyFor(config, "rate-limits"), writes);
  const reports = new ReportsService(
    reportsRepository,
    categories,
    operations,
    audit,
    { receipt: keyFor(config, "receipt-codes"), contact: contactKey },
    writes,
    rateLimits,
  );
  const tokensRepository = new TokensRepository(db);
  const tokens = new TokensService(tokensRepository, keyFor(config, "api-tokens"));
  const usersRepository = new UsersRepository(db);
  const auth = new AuthService(
    usersRepository,
    new SessionsRepository(db),
    tokensRepository,
    rateLimits,
    audit,
    { totp: keyFor(config, "totp"), devices: keyFor(config, "sign-in-devices") },
    config.signInSlowdownMs,
  );
  const alertsRepository = new AlertsRepository(db);
  const subscriberKey = keyFor(config, "alert-subscribers");
  const planner = new PlannerService(new PlannerRepository(db), operationsRepository, async (id, from, to) => (await activity.totals(id, from, to)).patrolHours);
  return {
    config,
    database,
    audit,
    categories,
    operations,
    operationsRepository,
    tiles,
    auth,
    accounts: new StaffAccountsService(usersRepository, new ApprovalsRepository(db), auth, audit),
    users: usersRepository,
    rateLimits,
    drafts: new DraftStore(db, keyFor(config, "report-drafts")),
    reports,
    triage,
    updates: new UpdatesService(new UpdatesRepository(db), reportsRepository, disclosure, audit),
    vehicles,
    planner,
    disclosure,
    dashboard: new DashboardService(dashboardRepository, evaluation, planner, disclosure),
    partners,
    safeguarding,
    staffHome: new StaffHomeService(triage, activity, vehicles, operations, safeguarding, partners),
    activity,
    areas,
    evaluation,
    imports: new ImportsService(config, database, new ImportsRepository(db), areas),
    retention,
    tokens,
    open311: new Open311Service(disclosure, categories, reports, tokens, rateLimits, { reportsPerHour: config.rateLimits.reports }),
    alerts: new AlertsService(disclosure, alertsRepository, audit, { email: subscriberKey, links: keyFor(config, "alert-links") }, (config.publicUrl ?? `http://localhost:${config.port || 3000}`).replace(/\/$/, "")),
    mail: new MailService(alertsRepository, config, subscriberKey),
    keys: {
      csrf: keyFor(config, "csrf"),
      clientAddress: keyFor(config, "client-address"),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
