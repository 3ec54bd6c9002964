// The attack of issue 13 (P1, P2), over every public output at once: adversarial small counts,
// then everything anyone can download (the dashboard's CSV and GeoJSON, Open311's list for the
// month and for each category, the area feed), read back as figures, and an attacker that tries
// every combination of counts that agrees with all of them. No figure the outputs withhold may
// come out with a single possible value.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { latLngToCell } from "h3-js";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp } from "../../../test/support/app.ts";
import { h3CellFor } from "../../domain/geo.ts";
import { inLastCompleteMonth, reportAt } from "../open311/open311.testing.ts";
import { fetchPublic, parseCsv } from "../dashboard/dashboard.testing.ts";
import { publicCell, reportMonth } from "./rules.ts";

/** A and B inside the test operation's areas, each its own public cell; Z outside every area. */
const A = { lat: 51.538312, lng: 0.727491 };
const B = { lat: 51.534127, lng: 0.742083 };
const Z = { lat: 51.5605, lng: 0.6502 };

interface Atom {
  cell: string;
  category: string;
  inOperation: boolean;
  count: number;
}

type Figure = { key: string; of: (atom: Atom) => boolean };

/** Every figure the outputs could publish about one month's reports, as a test over atoms. */
function figuresOf(atoms: Atom[]): Figure[] {
  const cells = [...new Set(atoms.map((a) => a.cell))];
  const categories = [...new Set(atoms.map((a) => a.category))];
  return [
    ...cells.map((cell) => ({ key: `cell ${cell}`, of: (a: Atom) => a.cell === cell })),
    ...cells.flatMap((cell) => categories.map((category) => ({ key: `kind ${cell} ${category}`, of: (a: Atom) => a.cell === cell && a.category === category }))),
    ...categories.map((category) => ({ key: `operation ${category}`, of: (a: Atom) => a.inOperation && a.category === category })),
    { key: "operation", of: (a: Atom) => a.inOperation },
  ];
}

/** By brute force: the withheld figures that take one value in every assignment agreeing with the published ones. */
function recovered(atoms: Atom[], published: Map<string, number>): string[] {
  const figures = figuresOf(atoms);
  const known = figures.filter((f) => published.has(f.key));
  const withheld = figures.filter((f) => !published.has(f.key) && atoms.some((a) => f.of(a)));
  const bound = atoms.map((a) => Math.min(15, ...known.filter((f) => f.of(a)).map((f) => published.get(f.key)!)));
  const seen = new Map(withheld.map((f) => [f.key, new Set<number>()]));
  const values = atoms.map(() => 0);
  const sum = (f: Figure) => atoms.reduce((s, a, i) => s + (f.of(a) ? values[i]! : 0), 0);
  const walk = (i: number): void => {
    if (i === atoms.length) {
      if (known.every((f) => sum(f) === published.get(f.key))) for (const f of withheld) seen.get(f.key)!.add(sum(f));
      return;
    }
    for (let n = 0; n <= bound[i]!; n++) {
      values[i] = n;
      walk(i + 1);
    }
  };
  walk(0);
  const truth = (f: Figure) => atoms.reduce((s, a) => s + (f.of(a) ? a.count : 0), 0);
  return withheld.filter((f) => seen.get(f.key)!.size === 1).map((f) => `${f.key} = ${truth(f)}`);
}

describeEachDatabase("no withheld figure can be worked out across the public outputs", (context) => {
  let app: FastifyInstance;
  let slug: string;
  const at = inLastCompleteMonth();
  const month = reportMonth(at.toISOString());
  const cell = (p: { lat: number; lng: number }) => publicCell(h3CellFor(p.lat, p.lng));
  const atoms: Atom[] = [
    // P1: six in A and three in B, both in the operation, and two outside every area.
    { cell: cell(A), category: "kerb-crawling", inOperation: true, count: 6 },
    { cell: cell(B), category: "kerb-crawling", inOperation: true, count: 3 },
    { cell: cell(Z), category: "kerb-crawling", inOperation: false, count: 2 },
    // P2: one drug-dealing report in A, its category's only one there.
    { cell: cell(A), category: "drug-dealing", inOperation: true, count: 1 },
  ];

  before(async () => {
    app = await testApp(context());
    slug = `attack-${process.pid}`;
    await activeOperation(app, slug);
    assert.equal(new Set([cell(A), cell(B), cell(Z)]).size, 3);
    const places = new Map([[cell(A), A], [cell(B), B], [cell(Z), Z]]);
    for (const atom of atoms) {
      for (let i = 0; i < atom.count; i++) {
        await reportAt(app, at, places.get(atom.cell)!, atom.category === "drug-dealing" ? { category: "drug-dealing", answers: { what: "exchange" } } : {});
      }
    }
    const placed = await app.services.database.db.selectFrom("reports").select(["operationId"]).execute();
    assert.equal(placed.filter((r) => r.operationId !== null).length, 10, "A and B are in the operation, Z is not");
  });
  after(async () => app.close());

  /** Every figure the public outputs give for the month, by the attacker's names. */
  async function harvest(): Promise<Map<string, number>> {
    const published = new Map<string, number>();
    const put = (key: string, value: number) => {
      assert.ok(!published.has(key) || published.get(key) === value, `${key} is published as both ${published.get(key)} and ${value}`);
      published.set(key, value);
    };
    const names = new Map((await app.services.categories.list()).map((c) => [c.name, c.code]));
    const records = parseCsv(await fetchPublic(app, `/operations/${slug}/data.csv`, "text/csv"));
    for (const r of records) {
      if (r.section === "map" && r.figure === "Residents' reports" && r.period === month) put(`cell ${r.cell}`, Number(r.value));
      if (r.section === "trend" && r.figure === "residents' reports" && r.period === month) {
        if (r.category.startsWith("All reports")) put("operation", Number(r.value));
        else put(`operation ${names.get(r.category)}`, Number(r.value));
      }
      // Received counts only months whose total is published: here, this month's total, or nothing.
      if (r.section === "residents' reports" && r.figure === "received" && r.period.startsWith(month)) put("operation", Number(r.value));
    }
    const geojson = JSON.parse(await fetchPublic(app, `/operations/${slug}/data.geojson`, "application/geo+json"));
    for (const feature of geojson.features) {
      const value = feature.properties.layers?.reports?.months?.[month];
      if (value !== undefined) put(`cell ${feature.properties.cell}`, value);
    }
    const window = `start_date=${month}-02T00:00:00Z&end_date=${month}-20T00:00:00Z`;
    const listed = new Map<string, number>();
    for (const query of ["", "&service_code=kerb-crawling", "&service_code=drug-dealing", "&status=open,closed"]) {
      const count = new Map<string, number>();
      for (const request of (await app.inject(`/open311/v2/requests.json?${window}${query}`)).json()) {
        const key = `kind ${latLngToCell(request.lat, request.long, 8)} ${request.service_code}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
      for (const [key, n] of count) listed.set(key, Math.max(listed.get(key) ?? 0, n));
    }
    // A list gives all of a category's reports in a cell-month, or none of them.
    for (const [key, n] of listed) put(key, n);
    const feed = (await app.inject("/feeds/reports.atom?bbox=0.60,51.50,0.78,51.58")).body;
    for (const match of feed.matchAll(/(\d+) reports in the cell centred at ([\d.-]+), ([\d.-]+)/g)) {
      const entryMonth = feed.slice(0, match.index).match(/#(\d{4}-\d{2})<\/id>[^#]*$/)?.[1];
      if (entryMonth === month) put(`cell ${latLngToCell(Number(match[2]), Number(match[3]), 8)}`, Number(match[1]));
    }
    return published;
  }

  it("publishes nothing under k and nothing that adds up to give a withheld figure away", async () => {
    const published = await harvest();
    for (const [key, value] of published) assert.ok(value === 0 || value >= 5, `${key} = ${value} is under k`);
    assert.ok(published.size > 0, "something is published");
    assert.deepEqual(recovered(atoms, published), []);
  });

  it("withholds no more than it must: the cell with six and the two outside are not both hidden", async () => {
    const published = await harvest();
    assert.ok(published.has(`cell ${cell(A)}`) || published.has("operation"), "either A or the operation's total is shown");
  });
});
