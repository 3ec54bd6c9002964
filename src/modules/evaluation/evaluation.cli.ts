// `openbeat evaluate OPERATION [--json]`: the evaluation as JSON for other software, or as text.
import type { Services } from "../../services.ts";

const figure = (value: number | null) => (value === null ? "—" : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));

export async function evaluateCommand(services: Services, operation: string, options: { json?: boolean }): Promise<void> {
  const evaluation = await services.evaluation.evaluate(operation);
  if (options.json) {
    console.log(JSON.stringify(evaluation, null, 2));
    return;
  }
  const { before, after } = evaluation.periods;
  const lines = [
    `${evaluation.operation.name} (started ${evaluation.operation.startsOn}; design version ${evaluation.design.version})`,
    `Before: ${before.from ?? "no data"} to ${before.to ?? "no data"} (${before.months} months). After: ${after.from ?? "no data"} to ${after.to ?? "no data"} (${after.months} months).`,
    "",
    evaluation.verdict,
    "",
    "category | target before/after | buffer before/after | comparison before/after | odds ratio (95% adjusted) | WDQ | TNE",
  ];
  for (const c of evaluation.sources[0].categories) {
    const { target, buffer, comparison } = c.counts;
    const pair = (counts: { before: number | null; after: number | null }) => `${counts.before ?? "no data"}/${counts.after ?? "no data"}`;
    const ratio = c.oddsRatio ? `${figure(c.oddsRatio.value)} (${figure(c.oddsRatio.ci95Adjusted[0])}–${figure(c.oddsRatio.ci95Adjusted[1])})` : "—";
    lines.push(
      `${c.category}${c.policeGenerated ? " (police-generated)" : ""} | ${pair(target)} | ${pair(buffer)} | ${pair(comparison)} | ${ratio} | ${c.wdq.meaningful ? figure(c.wdq.value) : "n/a"} | ${figure(c.totalNetEffect)}`,
    );
  }
  lines.push("", "Warnings:", ...evaluation.warnings.map((w) => `- ${w}`));
  console.log(lines.join("\n"));
}
