// Table types as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
// Timestamps are ISO-8601 UTC strings, dates 'YYYY-MM-DD', JSON columns text, booleans
// written as JS booleans and read back as 1/0 (SQLite) or true/false (PostgreSQL).
import type { Generated } from "kysely";

export type Flag = boolean | number;

export interface PartnerAgenciesTable {
  id: Generated<number>;
  name: string;
  services: string;
  createdAt: string;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: string;
  passwordHash: string;
  mustChangePassword: Flag;
  totpSecret: string | null;
  totpLastStep: number | null;
  partnerAgencyId: number | null;
  createdAt: string;
  disabledAt: string | null;
  credentialsEventId: number | null;
}

export interface AccountApprovalsTable {
  id: Generated<number>;
  /** create | role | reset-password | reset-two-factor */
  action: string;
  userId: number | null;
  email: string | null;
  name: string | null;
  role: string | null;
  requestedBy: number;
  requestedAt: string;
  decidedBy: number | null;
  decidedAt: string | null;
  /** approved | declined, or null while it waits */
  decision: string | null;
}

export interface SessionsTable {
  id: string;
  userId: number;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  secondFactorDone: Flag;
}

export interface OperationsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  summary: string;
  objectives: string;
  categoriesInScope: string;
  startsOn: string;
  endsOn: string | null;
  plannedHoursPerWeek: number;
  status: string;
  published: Flag;
  isDemo: Flag;
  /** 0017_demo: set up only to show openbeat on real police.uk data (dates illustrative, crime real). */
  realDataExample: Generated<Flag>;
  createdAt: string;
  updatedAt: string;
}

export interface AreasTable {
  id: Generated<number>;
  operationId: number;
  role: string;
  name: string;
  geometry: string;
  createdAt: string;
  /** 0003_police_uk: "polygon" | "lsoas" | "snap-points" | "ring"; null for areas drawn as polygons before it. */
  definition: string | null;
  lsoaCodes: string | null;
  snapPointIds: string | null;
  ringMetres: number | null;
  updatedAt: string | null;
}

export interface CategoriesTable {
  code: string;
  name: string;
  hint: string;
  guidance: string;
  askVehicle: Flag;
  inScope: Flag;
  sensitive: Flag;
  questions: string;
  sortOrder: number;
}

export interface ReportsTable {
  id: Generated<number>;
  reference: string;
  receiptHash: string;
  categoryCode: string;
  operationId: number | null;
  areaRole: string | null;
  status: string;
  occurredAt: string;
  occurredUntil: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracyMetres: number | null;
  h3Cell: string | null;
  locationText: string | null;
  description: string;
  answers: string;
  grade: string | null;
  thrive: string | null;
  forceReference: string | null;
  outcome: string | null;
  triagedAt: string | null;
  triagedBy: number | null;
  closedAt: string | null;
  reopenedAt: string | null;
  isDemo: Flag;
  createdAt: string;
  updatedAt: string;
}

export interface ReportContactsTable {
  reportId: number;
  emailEncrypted: string;
  createdAt: string;
}

export interface VehicleSightingsTable {
  id: Generated<number>;
  registration: string | null;
  registrationFormat: string | null;
  make: string | null;
  colour: string | null;
  seenAt: string;
  source: string;
  reportId: number | null;
  latitude: number | null;
  longitude: number | null;
  corroborated: Flag;
  createdAt: string;
}

export interface ReportNotesTable {
  id: Generated<number>;
  reportId: number;
  kind: string;
  body: string;
  authorId: number | null;
  createdAt: string;
}

export interface ReportHistoryTable {
  id: Generated<number>;
  reportId: number;
  fromStatus: string | null;
  toStatus: string;
  userId: number | null;
  createdAt: string;
}

export interface PublicUpdatesTable {
  id: Generated<number>;
  operationId: number | null;
  title: string;
  body: string;
  authorId: number | null;
  isDemo: Flag;
  publishedAt: string;
  changedAt: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
}

export interface PublicUpdateVersionsTable {
  id: Generated<number>;
  publicUpdateId: number;
  title: string;
  body: string;
  replacedAt: string;
  replacedBy: number | null;
}

export interface PublicUpdateReportsTable {
  publicUpdateId: number;
  reportId: number;
}

export interface ReportDraftsTable {
  id: string;
  data: string;
  expiresAt: string;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  expiresAt: string;
}

export interface SlowdownsTable {
  key: string;
  failures: number;
  nextTurnAt: string | null;
  expiresAt: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  occurredAt: string;
  actorId: number | null;
  actorRole: string | null;
  operation: string;
  recordType: string;
  recordIds: string;
  reasonCode: string | null;
  reasonReference: string | null;
  recipients: string | null;
  previousHash: string;
  hash: string;
  actorCredentialsEventId: number | null;
}

export interface PatrolsTable {
  id: Generated<number>;
  operationId: number;
  areaRole: string;
  startedAt: string;
  endedAt: string | null;
  startedBy: number;
  isDemo: Flag;
  createdAt: string;
}

export interface PatrolOfficersTable {
  patrolId: number;
  userId: number;
}

export interface EngagementsTable {
  id: Generated<number>;
  operationId: number;
  patrolId: number | null;
  occurredAt: string;
  latitude: number | null;
  longitude: number | null;
  h3Cell: string | null;
  kind: string;
  referralOffered: Flag;
  referralResponse: string | null;
  safeguardingConcern: Flag;
  officerId: number;
  isDemo: Flag;
  createdAt: string;
}

export interface DispersalAuthorisationsTable {
  id: Generated<number>;
  operationId: number;
  areaRole: string;
  startsAt: string;
  endsAt: string;
  grounds: string;
  authorisedBy: number;
  createdAt: string;
}

export interface EnforcementActionsTable {
  id: Generated<number>;
  operationId: number;
  patrolId: number | null;
  occurredAt: string;
  latitude: number | null;
  longitude: number | null;
  h3Cell: string | null;
  locationText: string | null;
  action: string;
  offence: string;
  targetGroup: string;
  subjectReference: string | null;
  outcome: string;
  priorActionId: number | null;
  dispersalAuthorisationId: number | null;
  officerId: number;
  isDemo: Flag;
  createdAt: string;
}

/**
 * Columns 0005_vehicles adds to vehicle_sightings, set on officers' and CCTV sightings
 * (residents' take their operation and area from the report). Kept apart from
 * VehicleSightingsTable so a report's sighting, written before they existed, need not name them.
 */
export interface VehicleSightingsRegisterColumns {
  patrolId: number | null;
  operationId: number | null;
  areaRole: string | null;
  locationText: string | null;
  recordedBy: number | null;
}

export interface VehicleKeepersTable {
  id: Generated<number>;
  registration: string;
  detailsEncrypted: string;
  make: string;
  colour: string;
  checkReference: string;
  enteredBy: number;
  enteredAt: string;
}

export interface WarningLettersTable {
  id: Generated<number>;
  registration: string;
  operationId: number | null;
  keeperId: number;
  status: string;
  sightingIds: string;
  sightings: string;
  approvedBy: number;
  approvedAt: string;
  sentBy: number | null;
  sentAt: string | null;
  createdAt: string;
}

export interface SnapPointsTable {
  id: Generated<number>;
  key: string;
  longitude: number;
  latitude: number;
  location: string;
  lsoaCode: string | null;
  lsoaName: string | null;
  h3Cell: string;
}

export interface PoliceCrimesTable {
  id: Generated<number>;
  rowKey: string;
  crimeId: string | null;
  month: string;
  reportedBy: string;
  fallsWithin: string;
  snapPointId: number | null;
  crimeType: string;
  lastOutcomeCategory: string | null;
  context: string | null;
  sequence: number | null;
  /** 0017_demo: a synthetic row (the demo's); only operations marked as demo count it. */
  isDemo: Generated<Flag>;
}

export interface PoliceOutcomesTable {
  id: Generated<number>;
  crimeId: string;
  month: string;
  fallsWithin: string;
  outcomeType: string;
}

export interface PoliceMonthsTable {
  fallsWithin: string;
  month: string;
  kind: string;
  rows: number;
}

export interface AreaSnapPointsTable {
  areaId: number;
  snapPointId: number;
}

export interface EvaluationDesignsTable {
  id: Generated<number>;
  operationId: number;
  version: number;
  design: string;
  reason: string;
  createdBy: number | null;
  createdAt: string;
}

export interface ImportJobsTable {
  id: Generated<number>;
  kind: string;
  status: string;
  source: string;
  fileNames: string;
  userId: number | null;
  totalBytes: number;
  doneBytes: number;
  rowsRead: number;
  currentFile: string | null;
  summary: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface AuditExpiryPermitsTable {
  segment: number;
}

/** The hashes (never the content) of events deleted with their expired segment, for anchors. */
export interface AuditExpiredHashesTable {
  eventId: number;
  hash: string;
}

export interface AuditSegmentsTable {
  id: Generated<number>;
  firstEventId: number;
  lastEventId: number;
  eventCount: number;
  /** The hash the segment's first event follows on from: the head of the segment before it, or the genesis. */
  previousHash: string;
  headHash: string;
  /** SHA-256 of the segment's events' ids and hashes, in order (see AuditService). */
  eventsDigest: string;
  sealedAt: string;
  lastEventAt: string;
  mac: string;
  expiredAt: string | null;
}

export interface Schema {
  partnerAgencies: PartnerAgenciesTable;
  users: UsersTable;
  accountApprovals: AccountApprovalsTable;
  sessions: SessionsTable;
  operations: OperationsTable;
  areas: AreasTable;
  categories: CategoriesTable;
  reports: ReportsTable;
  reportContacts: ReportContactsTable;
  vehicleSightings: VehicleSightingsTable & VehicleSightingsRegisterColumns;
  reportNotes: ReportNotesTable;
  reportHistory: ReportHistoryTable;
  publicUpdates: PublicUpdatesTable;
  publicUpdateReports: PublicUpdateReportsTable;
  publicUpdateVersions: PublicUpdateVersionsTable;
  reportDrafts: ReportDraftsTable;
  rateLimits: RateLimitsTable;
  slowdowns: SlowdownsTable;
  auditEvents: AuditEventsTable;
  auditSegments: AuditSegmentsTable;
  auditExpiryPermits: AuditExpiryPermitsTable;
  auditExpiredHashes: AuditExpiredHashesTable;
  callsForService: CallsForServiceTable;
  planningSettings: PlanningSettingsTable;
  budgetAllocations: BudgetAllocationsTable;
  budgetSpend: BudgetSpendTable;
  patrols: PatrolsTable;
  patrolOfficers: PatrolOfficersTable;
  engagements: EngagementsTable;
  dispersalAuthorisations: DispersalAuthorisationsTable;
  enforcementActions: EnforcementActionsTable;
  vehicleKeepers: VehicleKeepersTable;
  warningLetters: WarningLettersTable;
  safeguardingCases: SafeguardingCasesTable;
  caseNotes: CaseNotesTable;
  caseEngagements: CaseEngagementsTable;
  informationSharingAgreements: InformationSharingAgreementsTable;
  referrals: ReferralsTable;
  referralUpdates: ReferralUpdatesTable;
  snapPoints: SnapPointsTable;
  policeCrimes: PoliceCrimesTable;
  policeOutcomes: PoliceOutcomesTable;
  policeMonths: PoliceMonthsTable;
  areaSnapPoints: AreaSnapPointsTable;
  evaluationDesigns: EvaluationDesignsTable;
  importJobs: ImportJobsTable;
  apiClients: ApiClientsTable;
  staffTokens: StaffTokensTable;
  alertSubscriptions: AlertSubscriptionsTable;
  mailQueue: MailQueueTable;
  dashboardSettings: DashboardSettingsTable;
  dashboardChanges: DashboardChangesTable;
  dashboardSnapshots: DashboardSnapshotsTable;
  mapTiles: MapTilesTable;
  mapTileFetches: MapTileFetchesTable;
}

export interface SafeguardingCasesTable {
  id: Generated<number>;
  alias: string;
  realNameEncrypted: string | null;
  ageBand: string;
  indicators: string;
  needsEncrypted: string;
  consentStatus: string;
  consentChangedAt: string | null;
  consentGivenAt: string | null;
  consentWithdrawnAt: string | null;
  urgentDuties: string;
  status: string;
  closureReason: string | null;
  openedBy: number;
  closedBy: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CaseNotesTable {
  id: Generated<number>;
  caseId: number;
  authorId: number;
  bodyEncrypted: string;
  createdAt: string;
}

export interface CaseEngagementsTable {
  caseId: number;
  engagementId: number;
  linkedBy: number;
  linkedAt: string;
}

export interface InformationSharingAgreementsTable {
  id: Generated<number>;
  partnerAgencyId: number;
  reference: string;
  signedOn: string;
  expiresOn: string;
  recordedBy: number;
  createdAt: string;
}

export interface ReferralsTable {
  id: Generated<number>;
  caseId: number;
  partnerAgencyId: number;
  agreementId: number;
  service: string;
  status: string;
  legalBasis: string;
  sharedEncrypted: string;
  declineReason: string | null;
  outcome: string | null;
  createdBy: number;
  respondedBy: number | null;
  createdAt: string;
  respondedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
}

export interface ReferralUpdatesTable {
  id: Generated<number>;
  referralId: number;
  authorId: number;
  bodyEncrypted: string;
  outcome: string | null;
  createdAt: string;
}

/** 0004_planner: calls for service, the demand the planner forecasts. */
export interface CallsForServiceTable {
  id: Generated<number>;
  operationId: number;
  occurredAt: string;
  /** The UK calendar date of the call, 'YYYY-MM-DD'. */
  localDate: string;
  grade: string;
  area: string | null;
  isDemo: Flag;
  importedAt: string;
}

export interface PlanningSettingsTable {
  operationId: number;
  capacityHoursPerWeek: number;
  abstractionRate: number;
  emergencyHours: number;
  priorityHours: number;
  scheduledHours: number;
  resolvedHours: number;
  hourlyRatePence: number;
  updatedAt: string;
  updatedBy: number | null;
}

export interface BudgetAllocationsTable {
  id: Generated<number>;
  operationId: number;
  description: string;
  amountPence: number;
  receivedOn: string;
  isDemo: Flag;
  createdAt: string;
  createdBy: number | null;
}

export interface BudgetSpendTable {
  id: Generated<number>;
  operationId: number;
  description: string;
  amountPence: number;
  spentOn: string;
  isDemo: Flag;
  createdAt: string;
  createdBy: number | null;
}

/** 0009_open311_alerts: an app registered to post reports through Open311; its key is kept only as a hash. */
export interface ApiClientsTable {
  id: Generated<number>;
  name: string;
  keyHash: string;
  /** The key's last characters, so an administrator can tell keys apart. */
  keyHint: string;
  termsVersion: string;
  createdBy: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A member of staff's personal access token for the JSON API, kept only as a hash. */
export interface StaffTokensTable {
  id: Generated<number>;
  userId: number;
  name: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** An email alert for an operation or a drawn area; the address is erased when it ends. */
export interface AlertSubscriptionsTable {
  id: Generated<number>;
  emailEncrypted: string | null;
  operationId: number | null;
  area: string | null;
  status: string;
  /** The last public update already considered for this subscription. */
  lastUpdateId: number;
  createdAt: string;
  confirmedAt: string | null;
  endedAt: string | null;
}

/** Outgoing mail, sent by the sender loop with a lease and retried with back-off. */
export interface MailQueueTable {
  id: Generated<number>;
  subscriptionId: number | null;
  purpose: string;
  recipientEncrypted: string | null;
  subject: string;
  body: string;
  unsubscribeUrl: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  leaseUntil: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** 0010_dashboard: what the operation lead chose to show on the public dashboard. */
export interface DashboardSettingsTable {
  operationId: number;
  /** Whether the force publishes the operation's budget against its allocation. */
  publishBudget: Flag;
  updatedAt: string;
  updatedBy: number | null;
}

/** A version bumped whenever something the dashboard is worked out from changes ("all" or "operation:<id>"). */
export interface DashboardChangesTable {
  scope: string;
  version: number;
  changedAt: string;
}

/** An operation's public figures, worked out once; `freshness` says which versions of their inputs they reflect. */
export interface DashboardSnapshotsTable {
  operationId: number;
  freshness: string;
  data: string;
  computedAt: string;
}

/** 0015_tiles: the map tiles kept for the box around the operations' areas (domain/map-tiles.ts). */
export interface MapTilesTable {
  zoom: number;
  x: number;
  y: number;
  /** In a published operation's box: answered to everyone, not only to staff. */
  public: Flag;
  contentType: string;
  body: Buffer;
  fetchedAt: string;
}

/**
 * The one row that coordinates fetching tiles across instances: a change of areas raises
 * `requested`; whoever holds the lease fetches, and records the request it answered in `done`.
 */
export interface MapTileFetchesTable {
  id: number;
  requested: number;
  done: number;
  holder: string | null;
  leaseUntil: string | null;
  finishedAt: string | null;
}
