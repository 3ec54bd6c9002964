// What each workload hands back, and docs/performance.md written from it.
import type { Summary } from "./stats.ts";
import { formatSummary } from "./stats.ts";

export interface Figure {
  label: string;
  unit: string;
  summary: Summary;
  digits?: number;
}

export interface Verdict {
  target: string;
  /** null: could not be measured (the reason is in detail). */
  met: boolean | null;
  detail: string;
}

export interface SectionResult {
  title: string;
  dialect: string;
  method: string[];
  figures: Figure[];
  /** Workload over its ceiling, run by run. */
  ratios: Figure[];
  verdicts: Verdict[];
  notes: string[];
}

export function figureRow(figure: Figure): string {
  const digits = figure.digits ?? 0;
  const runs = figure.summary.runs.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : "—")).join(", ");
  return `| ${figure.label} | ${formatSummary(figure.summary, digits)} ${figure.unit} | ${runs} |`;
}

export function verdictMark(met: boolean | null): string {
  return met === null ? "not measured" : met ? "met" : "**missed**";
}

export function sectionMarkdown(section: SectionResult): string {
  const lines = [`### ${section.title} — ${section.dialect}`, ""];
  for (const line of section.method) lines.push(`- ${line}`);
  lines.push("", "| figure | median (min–max) | each run |", "|---|---|---|");
  for (const figure of section.figures) lines.push(figureRow(figure));
  for (const ratio of section.ratios) lines.push(figureRow(ratio));
  lines.push("", "| target | result | |", "|---|---|---|");
  for (const verdict of section.verdicts) lines.push(`| ${verdict.target} | ${verdictMark(verdict.met)} | ${verdict.detail} |`);
  if (section.notes.length) {
    lines.push("");
    for (const note of section.notes) lines.push(`- ${note}`);
  }
  return lines.join("\n");
}
