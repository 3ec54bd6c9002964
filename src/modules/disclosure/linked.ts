// Suppression across linked tables. Every public figure about the same events (a map cell, a
// category's count in a cell, an operation's monthly total, a category's trend) is a sum of the
// same atoms: the counts of events in one month, one public cell, one category and one
// operation, which are never published themselves. Suppressing each table on its own is not
// enough: a total published by one table, less the cells published by another, gives away a
// cell the second withheld. So all of them are suppressed as one system:
//
// 1. primary: every figure with a count from 1 to k − 1 is withheld;
// 2. complementary, line by line: in every relation "total = sum of parts" whose total is
//    published, the withheld parts must be at least two and sum to at least k, or more parts
//    are withheld (the smallest first), or the total;
// 3. an audit, which is the guarantee: a withheld figure is recoverable when its atoms are a
//    linear combination of published figures' atoms (any chain of sums and differences across
//    every table). Each one found withholds the smallest published figure it shares an event
//    with, and the audit runs again, until no withheld figure can be worked out.
//
// The audit treats every atom with no events as known to be empty. That gives the attacker more
// than a real one has (a withheld figure of zero looks like any other withheld figure), so a
// figure that survives the audit survives a real attacker's subtraction too.

export interface LinkedFigure {
  key: string;
  /** Indexes into `LinkedTables.atoms` of the atoms this figure adds up. */
  atoms: readonly number[];
}

export interface LinkedTables {
  /** The number of events in each atom. */
  atoms: readonly number[];
  figures: readonly LinkedFigure[];
  /** Totals that are exactly the sum of their parts (as keys of figures). */
  relations: ReadonlyArray<{ total: string; parts: readonly string[] }>;
  /** Figures the public knows already (worked out from other published ones): never withheld. */
  known?: ReadonlySet<string>;
}

const EPSILON = 1e-9;

/** The keys of the figures to withhold, and every figure's value. */
export function suppressLinked(tables: LinkedTables, k: number): { withheld: Set<string>; values: Map<string, number> } {
  const values = new Map(tables.figures.map((f) => [f.key, f.atoms.reduce((sum, atom) => sum + (tables.atoms[atom] ?? 0), 0)]));
  const known = tables.known ?? new Set<string>();
  const withheld = new Set<string>();
  for (const [key, value] of values) if (value > 0 && value < k && !known.has(key)) withheld.add(key);

  const audit = new Audit(tables);
  for (;;) {
    complement(tables.relations, values, withheld, known, k);
    const exposed = audit.exposed(withheld);
    if (exposed.length === 0) break;
    let added = false;
    for (const figure of exposed) {
      const cover = audit.cover(figure, withheld, values, known);
      if (cover !== null && !withheld.has(cover)) {
        withheld.add(cover);
        added = true;
      }
    }
    // A withheld figure that nothing published can hide is a figure the public knows anyway
    // (it is the sum of known ones): that cannot happen for a figure under k, which is never in
    // `known`, so reaching here without a change means the tables were described wrongly.
    if (!added) throw new Error(`Suppression cannot protect ${exposed.join(", ")}: check the figures marked as known`);
  }
  return { withheld, values };
}

/** Step 2: in each relation with a published total, the withheld parts hide each other. */
function complement(relations: LinkedTables["relations"], values: Map<string, number>, withheld: Set<string>, known: ReadonlySet<string>, k: number): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const { total, parts } of relations) {
      if (withheld.has(total)) continue;
      const hidden = parts.filter((part) => withheld.has(part) && values.get(part)! > 0);
      if (hidden.length === 0) continue;
      const sum = hidden.reduce((s, part) => s + values.get(part)!, 0);
      if (hidden.length >= 2 && sum >= k) continue;
      // A part with no events cannot hide another: see the note on the audit above.
      const next = parts
        .filter((part) => !withheld.has(part) && !known.has(part) && values.get(part)! > 0)
        .sort((a, b) => values.get(a)! - values.get(b)! || a.localeCompare(b))[0];
      if (next !== undefined) withheld.add(next);
      else if (!known.has(total)) withheld.add(total);
      else continue;
      changed = true;
    }
  }
}

/**
 * Step 3. Unknowns are the atoms with events, merged where they lie in exactly the same figures
 * (no published figure can tell those apart); each figure is the set of unknowns it adds up.
 */
class Audit {
  private readonly vectors = new Map<string, number[]>();
  private readonly figuresOf: string[][] = [];
  private readonly component: number[];

  constructor(tables: LinkedTables) {
    const signatures = new Map<number, string[]>();
    for (const figure of tables.figures) {
      for (const atom of figure.atoms) {
        if (!(tables.atoms[atom]! > 0)) continue;
        const list = signatures.get(atom) ?? [];
        list.push(figure.key);
        signatures.set(atom, list);
      }
    }
    const unknownOf = new Map<string, number>();
    const atomUnknown = new Map<number, number>();
    for (const [atom, keys] of signatures) {
      const signature = keys.join("\u0000");
      let unknown = unknownOf.get(signature);
      if (unknown === undefined) {
        unknown = unknownOf.size;
        unknownOf.set(signature, unknown);
        this.figuresOf.push(keys);
      }
      atomUnknown.set(atom, unknown);
    }
    for (const figure of tables.figures) {
      const unknowns = new Set<number>();
      for (const atom of figure.atoms) {
        const unknown = atomUnknown.get(atom);
        if (unknown !== undefined) unknowns.add(unknown);
      }
      this.vectors.set(figure.key, [...unknowns].sort((a, b) => a - b));
    }
    // Figures that share no unknown cannot say anything about each other: each connected part is
    // audited on its own, which keeps every elimination small.
    const parent = Array.from({ length: unknownOf.size }, (_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    for (const vector of this.vectors.values()) for (const unknown of vector.slice(1)) parent[find(unknown)] = find(vector[0]!);
    this.component = parent.map((_, i) => find(i));
  }

  /** The withheld figures that the published ones determine. */
  exposed(withheld: ReadonlySet<string>): string[] {
    const published = new Map<number, Array<Map<number, number>>>();
    const asked = new Map<number, string[]>();
    for (const [key, vector] of this.vectors) {
      if (vector.length === 0) continue;
      const part = this.component[vector[0]!]!;
      if (withheld.has(key)) asked.set(part, [...(asked.get(part) ?? []), key]);
      else published.set(part, [...(published.get(part) ?? []), new Map(vector.map((u) => [u, 1]))]);
    }
    const found: string[] = [];
    for (const [part, keys] of asked) {
      const basis = new Basis();
      for (const row of published.get(part) ?? []) basis.add(row);
      for (const key of keys) if (basis.spans(new Map(this.vectors.get(key)!.map((u) => [u, 1])))) found.push(key);
    }
    return found.sort();
  }

  /** The published figure to withhold next to protect `figure`: the smallest that shares an unknown with it. */
  cover(figure: string, withheld: ReadonlySet<string>, values: ReadonlyMap<string, number>, known: ReadonlySet<string>): string | null {
    const candidates = new Set<string>();
    for (const unknown of this.vectors.get(figure) ?? []) for (const key of this.figuresOf[unknown]!) candidates.add(key);
    const best = [...candidates]
      .filter((key) => !withheld.has(key) && !known.has(key))
      .sort((a, b) => values.get(a)! - values.get(b)! || this.vectors.get(a)!.length - this.vectors.get(b)!.length || a.localeCompare(b))[0];
    return best ?? null;
  }
}

/** Rows in reduced echelon form, sparse: each row's pivot appears in no other row. */
class Basis {
  private readonly rows = new Map<number, Map<number, number>>();

  private reduce(vector: Map<number, number>): Map<number, number> {
    const out = new Map(vector);
    for (const [unknown, coefficient] of vector) {
      const row = this.rows.get(unknown);
      if (!row) continue;
      const factor = out.get(unknown) ?? coefficient;
      if (Math.abs(factor) < EPSILON) continue;
      for (const [u, c] of row) {
        const next = (out.get(u) ?? 0) - factor * c;
        if (Math.abs(next) < EPSILON) out.delete(u);
        else out.set(u, next);
      }
    }
    return out;
  }

  add(vector: Map<number, number>): void {
    const reduced = this.reduce(vector);
    if (reduced.size === 0) return;
    const [pivot, value] = [...reduced.entries()].sort((a, b) => a[0] - b[0])[0]!;
    for (const [u, c] of reduced) reduced.set(u, c / value);
    for (const row of this.rows.values()) {
      const factor = row.get(pivot);
      if (factor === undefined) continue;
      for (const [u, c] of reduced) {
        const next = (row.get(u) ?? 0) - factor * c;
        if (Math.abs(next) < EPSILON) row.delete(u);
        else row.set(u, next);
      }
    }
    this.rows.set(pivot, reduced);
  }

  spans(vector: Map<number, number>): boolean {
    return this.reduce(vector).size === 0;
  }
}
