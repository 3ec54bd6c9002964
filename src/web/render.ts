// Server-rendered pages: one nunjucks environment that sees the shared layout, each module's
// views and GOV.UK Frontend's macros. Autoescaping is on: residents' words are data, never markup.
import path from "node:path";
import { PROJECT_ROOT } from "../paths.ts";
import nunjucks from "nunjucks";
import type { FieldProblem } from "../http/errors.ts";

const root = PROJECT_ROOT;
const here = path.join(root, "src/web");

export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [path.join(here, "views"), path.join(root, "src/modules"), path.join(root, "node_modules/govuk-frontend/dist")],
      { noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter("date", (value: string | null | undefined, style: "date" | "datetime" | "month" | "time" = "datetime") => {
    if (!value) return "";
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return "";
    const options: Intl.DateTimeFormatOptions =
      style === "time"
        ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/London" }
        : style === "month"
        ? { month: "long", year: "numeric", timeZone: "Europe/London" }
        : style === "date"
          ? { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/London" }
          : { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" };
    return new Intl.DateTimeFormat("en-GB", options).format(date);
  });
  env.addFilter("number", (value: number | null | undefined) => (typeof value === "number" ? value.toLocaleString("en-GB") : ""));
  return env;
}

/** GOV.UK error summary and inline messages from a list of field problems. */
/**
 * The error summary in the order its fields come on the page (GOV.UK asks for it), whatever
 * order the checks found them in: each link goes first by where its target's id stands in the
 * page as rendered. A field not on the page keeps its place at the end.
 */
export function inPageOrder<T extends { href: string }>(list: readonly T[], html: string): T[] {
  const position = (href: string) => {
    const id = href.slice(1);
    const at = html.search(new RegExp(`\\bid="${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    return at === -1 ? Number.MAX_SAFE_INTEGER : at;
  };
  return [...list].sort((a, b) => position(a.href) - position(b.href));
}

export function formErrors(problems: FieldProblem[]): {
  list: Array<{ text: string; href: string }>;
  field: Record<string, { text: string }>;
} {
  const field: Record<string, { text: string }> = {};
  for (const problem of problems) field[problem.field] ??= { text: problem.message };
  return {
    list: Object.entries(field).map(([name, { text }]) => ({ text, href: `#${name}` })),
    field,
  };
}
