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
  env.addFilter("date", (value: string | null | undefined, style: "date" | "datetime" | "month" = "datetime") => {
    if (!value) return "";
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return "";
    const options: Intl.DateTimeFormatOptions =
      style === "month"
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
