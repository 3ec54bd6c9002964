// The ordered list of migrations. Each receives the column types of the engine it runs on.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";
import * as foundation from "./0001_foundation.ts";

export interface Migration {
  up(db: Kysely<any>, types: ColumnTypes): Promise<void>;
}

export const migrations: Record<string, Migration> = {
  "0001_foundation": foundation,
};
