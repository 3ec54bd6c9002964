// Opens SQLite (embedded default) or PostgreSQL (scale-out) behind one Kysely interface.
// Every dialect difference the rest of the code could notice is settled here, so queries are
// written once: booleans, numbers from pg, timestamps as ISO-8601 UTC text, JSON as text.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import {
  CamelCasePlugin,
  Kysely,
  OperationNodeTransformer,
  PostgresDialect,
  SqliteDialect,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
  type PrimitiveValueListNode,
} from "kysely";
import type { DatabaseTarget } from "../config.ts";
import type { Schema } from "./schema.ts";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** The PostgreSQL schema in use when not the default (tests isolate themselves in one each). */
  schema?: string;
  /** PostgreSQL's connection pool size (requests beyond it wait in the pool's queue); none on SQLite. */
  poolSize?: number;
  close(): Promise<void>;
}

class BooleanToInteger extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = node.value;
    return typeof value === "boolean" ? { ...node, value: value ? 1 : 0 } : super.transformValue(node);
  }
  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return {
      ...node,
      values: node.values.map((value) => (typeof value === "boolean" ? (value ? 1 : 0) : value)),
    };
  }
}

/** better-sqlite3 refuses JS booleans: bind them as 1/0. Reads normalise with `Boolean()` in presenters. */
class SqliteBooleanPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanToInteger();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_DATE = 1082;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;
const PG_JSONB = 3802;
const PG_JSON = 114;

const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    switch (oid) {
      case PG_INT8:
      case PG_NUMERIC:
        return (value: string) => Number(value);
      case PG_DATE:
      case PG_JSON:
      case PG_JSONB:
        // Left as text: SQLite returns JSON as text too, and dates are 'YYYY-MM-DD' in both.
        return (value: string) => value;
      case PG_TIMESTAMP:
        return (value: string) => new Date(`${value.replace(" ", "T")}Z`).toISOString();
      case PG_TIMESTAMPTZ:
        return (value: string) => new Date(value).toISOString();
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
};

export interface OpenOptions {
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  schema?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  if (target.dialect === "sqlite") {
    if (target.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma("journal_mode = WAL");
    // FULL: a report acknowledged to a resident is on disk, even if the machine loses power.
    sqlite.pragma("synchronous = FULL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Schema>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
      plugins: [new SqliteBooleanPlugin(), new CamelCasePlugin()],
    });
    return { db, dialect: "sqlite", close: () => db.destroy() };
  }
  const poolSize = options.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: target.url,
    max: poolSize,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client losing its server (a restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  // Nor a client checked out between two statements of a transaction: its next query fails (503)
  // and the pool drops it on release, as it does any client that is no longer queryable.
  pool.on("connect", (client) => client.on("error", () => {}));
  await checkReachable(pool, target.url);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return { db, dialect: "postgres", schema: options.schema, poolSize, close: () => db.destroy() };
}

/** A database that cannot be used as configured, with what to do about it. */
export class DatabaseSetupError extends Error {}

/** Connects once, so a wrong DATABASE_URL is told at start in words, not as a stack trace at the first query. */
async function checkReachable(pool: pg.Pool, url: string): Promise<void> {
  let where: URL | null = null;
  try {
    where = new URL(url);
  } catch {
    // pg accepts forms URL does not; its own error below says what is wrong.
  }
  const name = where ? decodeURIComponent(where.pathname.slice(1)) || "postgres" : "the database";
  const server = where ? `${where.hostname || "localhost"}:${where.port || 5432}` : "the server in DATABASE_URL";
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => {});
    const code = (error as { code?: string }).code;
    if (code === "3D000") {
      throw new DatabaseSetupError(`The PostgreSQL database "${name}" does not exist on ${server}. Create it (createdb -h ${where?.hostname || "localhost"} -p ${where?.port || 5432}${where?.username ? ` -U ${decodeURIComponent(where.username)}` : ""} ${name}), or set DATABASE_URL to one that exists.`);
    }
    if (code === "28P01" || code === "28000") throw new DatabaseSetupError(`PostgreSQL on ${server} refused the user or password in DATABASE_URL: check them.`);
    if (isDatabaseDown(error as Error) || code === "ENOTFOUND") throw new DatabaseSetupError(`PostgreSQL is not answering on ${server}. Start it, or set DATABASE_URL to a server that is running.`);
    throw error;
  }
}

/**
 * Whether an error means the database cannot be reached right now (answered 503, not 500): a
 * refused or dropped connection, a server shutting down or starting up, a client left unusable
 * by a lost connection, a busy or failing SQLite file.
 */
export function isDatabaseDown(error: Error & { code?: string; errors?: unknown[] }): boolean {
  return (
    ["ECONNREFUSED", "ECONNRESET", "EPIPE", "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "SQLITE_BUSY", "SQLITE_IOERR"].includes(error.code ?? "") ||
    /Connection terminated|timeout exceeded when trying to connect|is not queryable|Client was closed/i.test(error.message) ||
    // pg reports a refused connection to a host with several addresses as an AggregateError.
    (Array.isArray(error.errors) && error.errors.length > 0 && error.errors.every((inner) => inner instanceof Error && isDatabaseDown(inner)))
  );
}

/**
 * Whether a write was refused because a unique index already holds the value: PostgreSQL's
 * SQLSTATE 23505, better-sqlite3's extended result codes. By code, never by message text.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(value: string | null | undefined, fallback: T): T {
  if (value === null || value === undefined || value === "") return fallback;
  return JSON.parse(value) as T;
}

/**
 * Kysely prepares every query afresh; preparing costs more than running the small queries a
 * request makes (measured: about a twentieth of a report submission's time). Statements are
 * reusable, and Kysely runs one query at a time on this connection, so keep them by their SQL.
 */
export function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        // Queries built with many values (IN lists, bulk inserts) differ each time: bound the cache.
        if (statements.size >= 500) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}
