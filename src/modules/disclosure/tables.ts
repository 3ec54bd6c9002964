// Suppression of one table on its own: the police.uk map layers, whose only published totals
// are the table's own (residents' reports, which many tables describe, go through linked.ts).

export interface CountTable {
  /** Row keys (e.g. months), in order. */
  rows: string[];
  /** Column keys (e.g. cells), in order. */
  columns: string[];
  /** count for [row][column]; missing means 0. */
  counts: Map<string, Map<string, number>>;
}

export interface SuppressedTable {
  /** Published value per row and column, or null where suppressed. Zeros are published. */
  cells: Map<string, Map<string, number | null>>;
  rowTotals: Map<string, number | null>;
  columnTotals: Map<string, number | null>;
  grandTotal: number | null;
  suppressedCount: number;
}

function get(table: CountTable, row: string, column: string): number {
  return table.counts.get(row)?.get(column) ?? 0;
}

/**
 * Primary suppression of every non-zero count under k, then complementary suppression: in any
 * row or column whose total is published, the suppressed cells must be at least two and sum to
 * at least k, or a difference would reveal them; otherwise more cells are suppressed (smallest
 * non-zero first) and, failing that, the total itself is withheld. Repeats until stable.
 */
export function suppress(table: CountTable, k: number): SuppressedTable {
  const hidden = new Set<string>();
  const key = (row: string, column: string) => `${row}\u0000${column}`;
  for (const row of table.rows) for (const column of table.columns) {
    const n = get(table, row, column);
    if (n > 0 && n < k) hidden.add(key(row, column));
  }
  const hiddenRowTotals = new Set<string>();
  const hiddenColumnTotals = new Set<string>();

  const protect = (line: string[], keyOf: (other: string) => string, valueOf: (other: string) => number, withholdTotal: () => void): boolean => {
    const suppressed = line.filter((other) => hidden.has(keyOf(other)));
    if (suppressed.length === 0) return false;
    const sum = suppressed.reduce((s, other) => s + valueOf(other), 0);
    if (suppressed.length >= 2 && sum >= k) return false;
    const candidates = line.filter((other) => !hidden.has(keyOf(other)) && valueOf(other) > 0).sort((a, b) => valueOf(a) - valueOf(b));
    const zeros = line.filter((other) => !hidden.has(keyOf(other)) && valueOf(other) === 0);
    const next = candidates[0] ?? (suppressed.length < 2 ? zeros[0] : undefined);
    if (next === undefined) {
      withholdTotal();
      return false;
    }
    hidden.add(keyOf(next));
    return true;
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const row of table.rows) {
      if (hiddenRowTotals.has(row)) continue;
      changed = protect(table.columns, (c) => key(row, c), (c) => get(table, row, c), () => hiddenRowTotals.add(row)) || changed;
    }
    for (const column of table.columns) {
      if (hiddenColumnTotals.has(column)) continue;
      changed = protect(table.rows, (r) => key(r, column), (r) => get(table, r, column), () => hiddenColumnTotals.add(column)) || changed;
    }
  }

  const cells = new Map<string, Map<string, number | null>>();
  const rowTotals = new Map<string, number | null>();
  const columnTotals = new Map<string, number | null>();
  let grand = 0;
  for (const row of table.rows) {
    const line = new Map<string, number | null>();
    let total = 0;
    for (const column of table.columns) {
      const n = get(table, row, column);
      line.set(column, hidden.has(key(row, column)) ? null : n);
      total += n;
    }
    cells.set(row, line);
    rowTotals.set(row, hiddenRowTotals.has(row) || (total > 0 && total < k) ? null : total);
    grand += total;
  }
  for (const column of table.columns) {
    const total = table.rows.reduce((s, row) => s + get(table, row, column), 0);
    columnTotals.set(column, hiddenColumnTotals.has(column) || (total > 0 && total < k) ? null : total);
  }
  const anyTotalHidden = [...rowTotals.values(), ...columnTotals.values()].some((v) => v === null);
  return {
    cells,
    rowTotals,
    columnTotals,
    grandTotal: grand > 0 && grand < k ? null : anyTotalHidden && hidden.size === 1 ? null : grand,
    suppressedCount: hidden.size,
  };
}
