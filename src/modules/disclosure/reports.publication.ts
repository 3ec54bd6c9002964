// Every public figure about residents' reports, worked out as one system (linked.ts). For each
// complete month, the atoms are the reports of one public cell (or no place), one category and
// one operation (or none); the figures are:
//   cell|C        the reports in cell C (the dashboard maps, the area feeds)
//   kind|C|G      the reports of category G in cell C (the Open311 list shows these reports)
//   op|O          the reports of operation O (the dashboard's monthly total)
//   kind-op|O|G   the reports of category G in operation O (the dashboard's trend)
// Every operation's figures take part whether it is published or not, so publishing an
// operation later changes nothing already public. Months never share a figure (no published
// figure adds up more than one month of reports), so each month is suppressed on its own and a
// month, once complete, publishes the same figures for ever: nothing can be learnt by comparing
// what was published on two days.
import { suppressLinked, type LinkedFigure } from "./linked.ts";

export interface ReportAtom {
  month: string;
  /** The public cell, or null for a report with no place. */
  cell: string | null;
  category: string;
  operationId: number | null;
}

interface MonthResult {
  values: Map<string, number>;
  withheld: Set<string>;
}

export const figureKeys = {
  cell: (cell: string) => `cell|${cell}`,
  kind: (cell: string, category: string) => `kind|${cell}|${category}`,
  operation: (operationId: number) => `op|${operationId}`,
  operationKind: (operationId: number, category: string) => `kind-op|${operationId}|${category}`,
};

/** One month's atoms, figures and relations, as linked.ts takes them. */
export function monthTables(atoms: ReportAtom[]) {
  const atomIndex = new Map<string, number>();
  const counts: number[] = [];
  const figures = new Map<string, number[]>();
  const relations = new Map<string, Set<string>>();
  const into = (key: string, atom: number) => {
    const list = figures.get(key) ?? [];
    if (list.at(-1) !== atom) list.push(atom);
    figures.set(key, list);
  };
  const relate = (total: string, part: string) => relations.set(total, (relations.get(total) ?? new Set()).add(part));
  for (const report of atoms) {
    const key = `${report.cell ?? "-"}|${report.category}|${report.operationId ?? "-"}`;
    let atom = atomIndex.get(key);
    if (atom === undefined) {
      atom = counts.length;
      atomIndex.set(key, atom);
      counts.push(0);
    }
    counts[atom]!++;
    if (report.cell !== null) {
      into(figureKeys.cell(report.cell), atom);
      into(figureKeys.kind(report.cell, report.category), atom);
      relate(figureKeys.cell(report.cell), figureKeys.kind(report.cell, report.category));
    }
    if (report.operationId !== null) {
      into(figureKeys.operation(report.operationId), atom);
      into(figureKeys.operationKind(report.operationId, report.category), atom);
      relate(figureKeys.operation(report.operationId), figureKeys.operationKind(report.operationId, report.category));
    }
  }
  return {
    atoms: counts,
    figures: [...figures.entries()].map(([key, list]): LinkedFigure => ({ key, atoms: [...new Set(list)] })),
    relations: [...relations.entries()].map(([total, parts]) => ({ total, parts: [...parts].sort() })),
  };
}

export class ReportsPublication {
  private constructor(
    private readonly months: Map<string, MonthResult>,
    /** The complete months the publication covers: a figure of any other month is not published. */
    private readonly through: string,
  ) {}

  /** `atoms`: every report of a category that may be shown, received in a complete month up to `through`. */
  static build(atoms: readonly ReportAtom[], through: string, k: number): ReportsPublication {
    const byMonth = new Map<string, ReportAtom[]>();
    for (const atom of atoms) {
      if (atom.month > through) continue;
      byMonth.set(atom.month, [...(byMonth.get(atom.month) ?? []), atom]);
    }
    const months = new Map<string, MonthResult>();
    for (const [month, list] of byMonth) months.set(month, suppressLinked(monthTables(list), k));
    return new ReportsPublication(months, through);
  }

  /** A figure as published: its count (0 where there were no reports), or null when withheld or not yet published. */
  figure(month: string, key: string): number | null {
    if (month > this.through) return null;
    const result = this.months.get(month);
    if (!result || !result.values.has(key)) return 0;
    return result.withheld.has(key) ? null : result.values.get(key)!;
  }

  /** The first month with a report of the operation, or null. */
  firstMonthOf(operationId: number): string | null {
    const key = figureKeys.operation(operationId);
    return [...this.months.entries()].filter(([, result]) => result.values.has(key)).map(([month]) => month).sort()[0] ?? null;
  }

  /** The cells published in a month, with their counts, largest first. */
  publishedCells(month: string): Array<{ cell: string; count: number }> {
    const result = this.months.get(month);
    if (!result || month > this.through) return [];
    return [...result.values.entries()]
      .filter(([key, value]) => key.startsWith("cell|") && value > 0 && !result.withheld.has(key))
      .map(([key, count]) => ({ cell: key.slice("cell|".length), count }))
      .sort((a, b) => b.count - a.count || a.cell.localeCompare(b.cell));
  }
}
