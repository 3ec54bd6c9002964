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
  failedSignIns: number;
  lockedUntil: string | null;
  totpSecret: string | null;
  partnerAgencyId: number | null;
  createdAt: string;
  disabledAt: string | null;
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
}

export interface Schema {
  partnerAgencies: PartnerAgenciesTable;
  users: UsersTable;
  sessions: SessionsTable;
  operations: OperationsTable;
  areas: AreasTable;
  categories: CategoriesTable;
  reports: ReportsTable;
  reportContacts: ReportContactsTable;
  vehicleSightings: VehicleSightingsTable;
  reportNotes: ReportNotesTable;
  reportHistory: ReportHistoryTable;
  publicUpdates: PublicUpdatesTable;
  publicUpdateReports: PublicUpdateReportsTable;
  reportDrafts: ReportDraftsTable;
  rateLimits: RateLimitsTable;
  auditEvents: AuditEventsTable;
}
