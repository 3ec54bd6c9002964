// The ordered list of migrations. Each receives the column types of the engine it runs on.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";
import * as foundation from "./0001_foundation.ts";
import * as activity from "./0002_activity.ts";
import * as policeUk from "./0003_police_uk.ts";
import * as planner from "./0004_planner.ts";
import * as vehicles from "./0005_vehicles.ts";
import * as safeguarding from "./0006_safeguarding.ts";
import * as twoFactor from "./0007_two_factor.ts";
import * as auditSegments from "./0008_audit_segments.ts";
import * as open311Alerts from "./0009_open311_alerts.ts";
import * as dashboard from "./0010_dashboard.ts";
import * as unplacedCrimes from "./0011_unplaced_crimes.ts";
import * as monthFirstRowKeys from "./0012_month_first_row_keys.ts";
import * as auditIntegrity from "./0013_audit_integrity.ts";
import * as accounts from "./0014_accounts.ts";
import * as tiles from "./0015_tiles.ts";
import * as publicUpdateChanges from "./0018_public_update_changes.ts";
import * as demo from "./0017_demo.ts";

export interface Migration {
  up(db: Kysely<any>, types: ColumnTypes): Promise<void>;
}

export const migrations: Record<string, Migration> = {
  "0001_foundation": foundation,
  "0002_activity": activity,
  "0003_police_uk": policeUk,
  "0004_planner": planner,
  "0005_vehicles": vehicles,
  "0006_safeguarding": safeguarding,
  "0007_two_factor": twoFactor,
  "0008_audit_segments": auditSegments,
  "0009_open311_alerts": open311Alerts,
  "0010_dashboard": dashboard,
  "0011_unplaced_crimes": unplacedCrimes,
  "0012_month_first_row_keys": monthFirstRowKeys,
  "0013_audit_integrity": auditIntegrity,
  "0014_accounts": accounts,
  "0015_tiles": tiles,
  "0018_public_update_changes": publicUpdateChanges,
  "0017_demo": demo,
};
