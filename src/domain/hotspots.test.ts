import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cellToParent, gridDisk, gridDistance, latLngToCell } from "h3-js";
import { benjaminiHochberg, getisOrdGiStar, h3Neighbours, hotspots, twoSidedP } from "./hotspots.ts";

const close = (actual: number | null, expected: number, tolerance = 1e-6) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

describe("Getis-Ord Gi*", () => {
  it("matches a line of five cells worked by hand, zeros included", () => {
    // x = 0 0 6 0 0, each cell's neighbours the cells either side. n = 5, X̄ = 1.2,
    // S² = 36/5 − 1.44 = 5.76, S = 2.4. Middle: W = 3, Σx = 6, (6 − 3.6) / (2.4 √((15 − 9)/4)) = √(2/3).
    // Ends: W = 2, Σx = 0, (0 − 2.4) / (2.4 √((10 − 4)/4)) = −√(2/3).
    const line = [[1], [0, 2], [1, 3], [2, 4], [3]];
    const z = getisOrdGiStar([0, 0, 6, 0, 0], line);
    const r = Math.sqrt(2 / 3);
    [-r, r, r, r, -r].forEach((expected, i) => close(z[i]!, expected));
  });

  it("counts the cell itself among its neighbours whether or not the list names it", () => {
    const without = getisOrdGiStar([0, 0, 6, 0, 0], [[1], [0, 2], [1, 3], [2, 4], [3]]);
    const withSelf = getisOrdGiStar([0, 0, 6, 0, 0], [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4]]);
    assert.deepEqual(without, withSelf);
  });

  it("matches a disk of 19 H3 cells worked by hand", () => {
    // The centre and its six neighbours hold 10 each; the outer ring of 12 holds 0.
    // n = 19, Σx = 70, Σx² = 700, S² = 8400/361. Centre: W = 7, Σx = 70 → z = 840/√39200 = 3√2.
    // Inner ring: W = 7, Σx = 40 → 270/√39200. Outer corners (one inner neighbour): W = 4, Σx = 10
    // → −90/√28000. Outer edges (two inner neighbours): W = 5, Σx = 20 → 30/√(8400·70/18).
    const centre = latLngToCell(51.5383, 0.7274, 8);
    const cells = gridDisk(centre, 2);
    const values = cells.map((cell) => (gridDistance(centre, cell) <= 1 ? 10 : 0));
    const z = getisOrdGiStar(values, h3Neighbours(cells));
    cells.forEach((cell, i) => {
      const ring = gridDistance(centre, cell);
      const innerNeighbours = gridDisk(cell, 1).filter((other) => gridDistance(centre, other) === 1).length;
      const expected = ring === 0 ? 3 * Math.SQRT2 : ring === 1 ? 270 / Math.sqrt(39200) : innerNeighbours === 1 ? -90 / Math.sqrt(28000) : 30 / Math.sqrt((8400 * 70) / 18);
      close(z[i]!, expected);
    });
  });

  it("is undefined when every count is equal, when there is one cell, or when a neighbourhood is the whole area", () => {
    assert.deepEqual(getisOrdGiStar([3, 3, 3], [[1], [0, 2], [1]]), [null, null, null]);
    assert.deepEqual(getisOrdGiStar([4], [[]]), [null]);
    const seven = gridDisk(latLngToCell(51.5383, 0.7274, 8), 1);
    assert.equal(getisOrdGiStar([9, 0, 0, 0, 0, 0, 0], h3Neighbours(seven))[0], null, "the centre of seven neighbours every cell");
  });

  it("finds neighbours among the cells given only", () => {
    const centre = latLngToCell(51.5383, 0.7274, 8);
    const far = cellToParent(latLngToCell(52.2, 0.12, 9), 8);
    const neighbours = h3Neighbours([centre, gridDisk(centre, 1)[1]!, far]);
    assert.deepEqual(neighbours.map((list) => [...list].sort()), [[0, 1], [0, 1], [2]]);
  });
});

describe("two-sided p-values", () => {
  it("gives 0.05 at z = 1.96 and the normal tail further out", () => {
    close(twoSidedP(1.959963984540054), 0.05, 1e-7);
    close(twoSidedP(-1.959963984540054), 0.05, 1e-7);
    close(twoSidedP(0), 1, 1e-7);
    // 2(1 − Φ(3√2)) = 2.2090e-5
    close(twoSidedP(3 * Math.SQRT2), 2.209e-5, 1e-8);
  });
});

describe("Benjamini–Hochberg", () => {
  it("adjusts p-values as worked by hand", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 (m = 4): m·p/rank = 0.02, 0.02, 0.04, 0.04, then the running minimum from the top.
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((expected, i) => close(q[i]!, expected, 1e-12));
  });

  it("calls nothing significant that only looked so before the correction", () => {
    // 0.01 is below 0.05 alone, but among six tests every q-value is at least 0.06.
    const q = benjaminiHochberg([0.01, 0.02, 0.03, 0.04, 0.05, 0.5]);
    assert.ok(q.every((value) => value !== null && value > 0.05), JSON.stringify(q));
    close(q[0]!, 0.06, 1e-12);
    close(q[5]!, 0.5, 1e-12);
  });

  it("leaves untestable cells out of the count of tests", () => {
    const q = benjaminiHochberg([0.02, null, 0.04]);
    assert.deepEqual(q.map((v) => (v === null ? null : Number(v.toFixed(6)))), [0.04, null, 0.04]);
  });
});

describe("hotspots", () => {
  it("calls a cell hot only after the false discovery rate correction", () => {
    const centre = latLngToCell(51.5383, 0.7274, 8);
    const cells = gridDisk(centre, 3);
    const strong = hotspots(cells, cells.map((cell) => (gridDistance(centre, cell) <= 1 ? 30 : 1)));
    assert.equal(strong.find((h) => h.cell === centre)!.kind, "hot");
    assert.ok(strong.every((h) => h.kind !== "hot" || gridDistance(centre, h.cell) <= 2));
    const flat = hotspots(cells, cells.map(() => 4));
    assert.ok(flat.every((h) => h.kind === "none" && h.z === null));
    // One cell a little above the rest: below 0.05 uncorrected perhaps, never after correction.
    const weak = hotspots(cells, cells.map((cell) => (cell === centre ? 6 : 2)));
    assert.ok(weak.every((h) => h.kind === "none"), JSON.stringify(weak.filter((h) => h.kind !== "none")));
  });
});
