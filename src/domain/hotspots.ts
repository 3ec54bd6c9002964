// Hotspots on the public map: the Getis-Ord Gi* statistic of each H3 cell, then a false
// discovery rate correction (Benjamini–Hochberg) before any cell is called a hotspot. Gi* is
// computed over every cell of the study area, those with no events included (leaving them out
// would make every cell look ordinary), and each cell counts among its own neighbours (that is
// what the star means). Pure: the dashboard counts, this judges.
import { gridDisk } from "h3-js";

/** The false discovery rate allowed among the cells called hot or cold. */
export const HOTSPOT_FDR = 0.05;

/**
 * Gi* z-scores (Getis and Ord 1992; Ord and Getis 1995) with binary weights: w_ij = 1 when j is
 * i or one of its neighbours. With n cells, mean X̄ and S = √(Σx²/n − X̄²):
 *   Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))
 * Null where it is undefined: fewer than two cells, every count equal, or a cell whose
 * neighbourhood is the whole study area.
 */
export function getisOrdGiStar(values: readonly number[], neighbours: ReadonlyArray<readonly number[]>): Array<number | null> {
  const n = values.length;
  if (n < 2) return values.map(() => null);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const spread = Math.sqrt(Math.max(0, values.reduce((a, b) => a + b * b, 0) / n - mean * mean));
  return values.map((_, i) => {
    const around = new Set(neighbours[i] ?? []);
    around.add(i);
    const weight = around.size;
    const sum = [...around].reduce((total, j) => total + values[j]!, 0);
    const denominator = spread * Math.sqrt((n * weight - weight * weight) / (n - 1));
    if (!(denominator > 1e-12)) return null;
    return (sum - mean * weight) / denominator;
  });
}

/** Which cells of a study area touch each other: for each cell, the indices of its neighbours in the list (itself included). */
export function h3Neighbours(cells: readonly string[]): number[][] {
  const index = new Map(cells.map((cell, i) => [cell, i]));
  return cells.map((cell) => gridDisk(cell, 1).flatMap((other) => (index.has(other) ? [index.get(other)!] : [])));
}

/**
 * The complementary error function, erfc(x), with a fractional error below 1.2e-7
 * (the Chebyshev fit of Press et al., Numerical Recipes, 6.2).
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const value =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? value : 2 - value;
}

/** Two-sided p-value of a standard normal z. */
export function twoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values): a cell is a discovery at false discovery
 * rate α when its q-value is at most α. Nulls (untestable cells) stay null and do not count
 * among the tests.
 */
export function benjaminiHochberg(pValues: ReadonlyArray<number | null>): Array<number | null> {
  const tested = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((a, b) => a.p - b.p);
  const m = tested.length;
  const adjusted: Array<number | null> = pValues.map(() => null);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = tested[rank - 1]!;
    running = Math.min(running, (m * p) / rank);
    adjusted[i] = running;
  }
  return adjusted;
}

export type HotspotKind = "hot" | "cold" | "none";

export interface CellHotspot {
  cell: string;
  z: number | null;
  p: number | null;
  q: number | null;
  kind: HotspotKind;
}

/** Gi* for every cell of a study area, corrected for the number of cells tested. */
export function hotspots(cells: readonly string[], counts: readonly number[], fdr = HOTSPOT_FDR): CellHotspot[] {
  const z = getisOrdGiStar(counts, h3Neighbours(cells));
  const p = z.map((value) => (value === null ? null : twoSidedP(value)));
  const q = benjaminiHochberg(p);
  return cells.map((cell, i) => {
    const significant = q[i] !== null && q[i]! <= fdr;
    return { cell, z: z[i]!, p: p[i]!, q: q[i]!, kind: significant ? (z[i]! > 0 ? "hot" : "cold") : "none" };
  });
}
