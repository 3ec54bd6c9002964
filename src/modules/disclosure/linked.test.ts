import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { suppressLinked } from "./linked.ts";
import { figureKeys, monthTables, ReportsPublication, type ReportAtom } from "./reports.publication.ts";

const K = 5;

/**
 * The attacker, written independently of the gate: every assignment of whole, non-negative
 * counts to the atoms that agrees with every published figure, by brute force. A withheld
 * figure is recovered when it takes the same value in all of them. (It is told which atoms
 * cannot hold a report, which a real attacker is not, so it is stronger than one.)
 */
function recovered(atoms: ReportAtom[], month: string, publication: ReportsPublication): string[] {
  const tables = monthTables(atoms);
  const published = tables.figures.map((f) => ({ ...f, value: publication.figure(month, f.key) }));
  const known = published.filter((f): f is typeof f & { value: number } => f.value !== null);
  const bound = tables.atoms.map((_, atom) => Math.min(12, ...known.filter((f) => f.atoms.includes(atom)).map((f) => f.value)));
  const seen = new Map<string, Set<number>>(published.filter((f) => f.value === null).map((f) => [f.key, new Set<number>()]));
  const values = tables.atoms.map(() => 0);
  const walk = (i: number): void => {
    if (i === values.length) {
      for (const f of known) if (f.atoms.reduce((s, a) => s + values[a]!, 0) !== f.value) return;
      for (const f of published) if (f.value === null) seen.get(f.key)!.add(f.atoms.reduce((s, a) => s + values[a]!, 0));
      return;
    }
    for (let n = 0; n <= bound[i]!; n++) {
      values[i] = n;
      walk(i + 1);
    }
  };
  walk(0);
  return [...seen.entries()].filter(([, found]) => found.size === 1).map(([key, found]) => `${key} = ${[...found][0]}`);
}

function reports(month: string, spec: Array<[cell: string | null, category: string, operation: number | null, count: number]>): ReportAtom[] {
  return spec.flatMap(([cell, category, operationId, count]) => Array.from({ length: count }, () => ({ month, cell, category, operationId })));
}

describe("suppression across linked tables", () => {
  it("keeps a withheld cell from being worked out from the operation's total (the P1 attack)", () => {
    // Six reports in A and three in B, both in the operation, and two outside every area.
    const atoms = reports("2026-10", [["A", "kerb-crawling", 1, 6], ["B", "kerb-crawling", 1, 3], ["Z", "kerb-crawling", null, 2]]);
    const publication = ReportsPublication.build(atoms, "2026-10", K);
    assert.equal(publication.figure("2026-10", figureKeys.cell("B")), null, "three in B: withheld");
    const total = publication.figure("2026-10", figureKeys.operation(1));
    const a = publication.figure("2026-10", figureKeys.cell("A"));
    assert.ok(total === null || a === null, `the total (${total}) and A (${a}) are not both published`);
    assert.deepEqual(recovered(atoms, "2026-10", publication), []);
  });

  it("keeps a lone category in a published cell from being worked out (the Open311 route)", () => {
    // Five kerb-crawling reports and one drug-dealing report in A: the cell's total of six, less
    // the five Open311 lists, would give the drug-dealing report away.
    const atoms = reports("2026-10", [["A", "kerb-crawling", 1, 5], ["A", "drug-dealing", 1, 1]]);
    const publication = ReportsPublication.build(atoms, "2026-10", K);
    assert.equal(publication.figure("2026-10", figureKeys.kind("A", "drug-dealing")), null);
    assert.deepEqual(recovered(atoms, "2026-10", publication), []);
  });

  it("publishes what is safe: a month where every figure is at k or more is shown whole", () => {
    const atoms = reports("2026-10", [["A", "kerb-crawling", 1, 6], ["B", "kerb-crawling", 1, 7]]);
    const publication = ReportsPublication.build(atoms, "2026-10", K);
    assert.equal(publication.figure("2026-10", figureKeys.cell("A")), 6);
    assert.equal(publication.figure("2026-10", figureKeys.cell("B")), 7);
    assert.equal(publication.figure("2026-10", figureKeys.operation(1)), 13);
    assert.equal(publication.figure("2026-10", figureKeys.cell("C")), 0, "no reports: zero");
    assert.equal(publication.figure("2026-11", figureKeys.cell("A")), null, "a month not complete: nothing");
  });

  it("leaves no withheld figure recoverable by any sum or difference of published ones (property)", () => {
    const spec = fc.array(
      fc.tuple(fc.constantFrom("A", "B", "C", null), fc.constantFrom("kerb-crawling", "drug-dealing"), fc.constantFrom(1, 2, null), fc.integer({ min: 1, max: 7 })),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(spec, (rows) => {
        const atoms = reports("2026-10", rows);
        const publication = ReportsPublication.build(atoms, "2026-10", K);
        for (const figure of monthTables(atoms).figures) {
          const value = publication.figure("2026-10", figure.key);
          if (value !== null) assert.ok(value === 0 || value >= K, `${figure.key} = ${value} is under k`);
        }
        assert.deepEqual(recovered(atoms, "2026-10", publication), []);
      }),
      { numRuns: Number(process.env.OPENBEAT_FUZZ_RUNS ?? 400) },
    );
  });

  it("never withholds a figure the public already knows, and protects with the others", () => {
    // received = closed + open is known; three closed and two open are each under k, so both go.
    const result = suppressLinked(
      {
        atoms: [3, 2],
        figures: [
          { key: "received", atoms: [0, 1] },
          { key: "closed", atoms: [0] },
          { key: "open", atoms: [1] },
        ],
        relations: [{ total: "received", parts: ["closed", "open"] }],
        known: new Set(["received"]),
      },
      K,
    );
    assert.deepEqual([...result.withheld].sort(), ["closed", "open"]);
  });
});
