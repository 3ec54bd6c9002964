import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { normaliseRegistration } from "./registrations.ts";
import {
  assess,
  canonicalColour,
  canonicalMake,
  checkKeeperMatch,
  DEFAULT_RULES,
  erasureCutoff,
  erasureDueAt,
  escalatingSightings,
  isCorroborating,
  isDueForErasure,
  occasionsOf,
  sameColour,
  sameMake,
  vehicleStatus,
  type SightingFacts,
} from "./vehicles.ts";

const NOW = new Date("2026-06-15T22:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 86_400_000;

let nextId = 1;
function sighting(hoursAgo: number, overrides: Partial<SightingFacts> = {}): SightingFacts {
  return {
    id: nextId++,
    seenAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
    source: "report",
    areaRole: "target",
    make: "BMW",
    colour: "Black",
    ...overrides,
  };
}

describe("vehicle register: registrations as keys", () => {
  it("files the same plate typed differently under one key", () => {
    const typed = ["ab12 cde", "AB12CDE", " Ab12-cDe ", "ab 12 c d e"];
    assert.deepEqual(new Set(typed.map((t) => normaliseRegistration(t).normalised)), new Set(["AB12CDE"]));
  });

  it("normalising a normalised plate changes nothing (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 -]{1,12}$/), (typed) => {
        let first;
        try {
          first = normaliseRegistration(typed);
        } catch {
          return;
        }
        assert.deepEqual(normaliseRegistration(first.normalised), first);
        assert.match(first.normalised, /^[A-Z0-9]{1,8}$/);
      }),
    );
  });
});

describe("vehicle register: occasions", () => {
  it("counts sightings less than an hour apart as one occasion, and an hour or more apart as two", () => {
    assert.equal(occasionsOf([sighting(10), sighting(9.5), sighting(9.1)]).length, 1);
    assert.equal(occasionsOf([sighting(10), sighting(9)]).length, 2);
    assert.equal(occasionsOf([]).length, 0);
  });

  it("keeps a car circling all evening as one occasion, since each sighting is close to the last", () => {
    const circling = [0, 0.75, 1.5, 2.25, 3].map((h) => sighting(10 - h));
    assert.equal(occasionsOf(circling).length, 1);
  });

  it("takes the gap from the rules", () => {
    assert.equal(occasionsOf([sighting(10), sighting(9)], { occasionGapMinutes: 120 }).length, 1);
  });

  it("does not depend on the order sightings arrive in, and never exceeds the number of sightings (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 30 }), (minutesAgo) => {
        const all = minutesAgo.map((m) => sighting(m / 60));
        const count = occasionsOf(all).length;
        assert.equal(occasionsOf([...all].reverse()).length, count);
        assert.ok(count <= all.length);
        assert.equal(count === 0, all.length === 0);
        assert.equal(occasionsOf(all).flat().length, all.length, "every sighting is in exactly one occasion");
      }),
    );
  });

  it("one more sighting adds at most one occasion (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 20 }), fc.integer({ min: 0, max: 5000 }), (minutesAgo, extra) => {
        const all = minutesAgo.map((m) => sighting(m / 60));
        const before = occasionsOf(all).length;
        const after = occasionsOf([...all, sighting(extra / 60)]).length;
        assert.ok(after >= before - 1 && after <= before + 1, `${before} → ${after}`);
      }),
    );
  });

  it("sightings spread more than an hour apart are each an occasion (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 20 }), (hoursAgo) => {
        assert.equal(occasionsOf(hoursAgo.map((h) => sighting(h))).length, hoursAgo.length);
      }),
    );
  });
});

describe("vehicle register: proposing a letter", () => {
  it("proposes a letter on two occasions in the target area within 90 days with one officer sighting", () => {
    const result = assess([sighting(24 * 30), sighting(24 * 2, { source: "officer" })], NOW);
    assert.equal(result.occasions, 2);
    assert.equal(result.corroborated, true);
    assert.equal(result.proposed, true);
    assert.deepEqual(result.missing, []);
  });

  it("accepts CCTV as corroboration, and never a resident's report", () => {
    assert.equal(isCorroborating("cctv"), true);
    assert.equal(isCorroborating("officer"), true);
    assert.equal(isCorroborating("report"), false);
    assert.equal(assess([sighting(48), sighting(2, { source: "cctv" })], NOW).proposed, true);
  });

  it("does not propose on residents' reports alone, however many", () => {
    const many = Array.from({ length: 12 }, (_, i) => sighting(24 * (i + 1)));
    const result = assess(many, NOW);
    assert.equal(result.occasions, 12);
    assert.equal(result.proposed, false);
    assert.deepEqual(result.missing, ["No sighting by an officer or on CCTV yet"]);
  });

  it("does not propose on one evening, however many sightings", () => {
    const evening = [sighting(3), sighting(2.5, { source: "officer" }), sighting(2), sighting(1.5)];
    const result = assess(evening, NOW);
    assert.equal(result.occasions, 1);
    assert.equal(result.proposed, false);
    assert.match(result.missing[0]!, /1 of the 2 separate occasions/);
  });

  it("counts only the target area and only the last 90 days", () => {
    const result = assess(
      [
        sighting(24 * 91, { source: "officer" }),
        sighting(24 * 10, { areaRole: "buffer", source: "officer" }),
        sighting(24 * 5, { areaRole: null }),
        sighting(24 * 3),
        sighting(-24, { source: "officer" }),
      ],
      NOW,
    );
    assert.equal(result.counted.length, 1);
    assert.equal(result.occasions, 1);
    assert.equal(result.corroborated, false);
    assert.equal(result.proposed, false);
  });

  it("takes its threshold and window from the rules", () => {
    const sightings = [sighting(24 * 100), sighting(24 * 50), sighting(24 * 2, { source: "officer" })];
    assert.equal(assess(sightings, NOW, { ...DEFAULT_RULES, minimumOccasions: 3 }).proposed, false);
    assert.equal(assess(sightings, NOW, { ...DEFAULT_RULES, minimumOccasions: 3, windowDays: 120 }).proposed, true);
  });

  it("never proposes with fewer occasions than the threshold, nor without corroboration (property)", () => {
    const arbitrarySighting = fc.record({
      hoursAgo: fc.integer({ min: -48, max: 24 * 200 }),
      source: fc.constantFrom("report", "officer", "cctv"),
      areaRole: fc.constantFrom("target", "buffer", null),
    });
    fc.assert(
      fc.property(fc.array(arbitrarySighting, { maxLength: 25 }), fc.integer({ min: 1, max: 5 }), (raw, minimumOccasions) => {
        const sightings = raw.map((r) => sighting(r.hoursAgo, { source: r.source, areaRole: r.areaRole }));
        const result = assess(sightings, NOW, { ...DEFAULT_RULES, minimumOccasions });
        if (result.proposed) {
          assert.ok(result.occasions >= minimumOccasions);
          assert.ok(result.counted.some((s) => s.source !== "report"));
          assert.ok(result.counted.every((s) => s.areaRole === "target"));
        }
        assert.equal(result.proposed, result.occasions >= minimumOccasions && result.corroborated);
      }),
    );
  });
});

describe("vehicle register: matching the keeper's vehicle", () => {
  it("matches makes and colours whatever their case or spelling", () => {
    assert.ok(sameColour("Grey", "GRAY"));
    assert.ok(sameColour("dark grey", "Grey"));
    assert.ok(sameColour("Multi-coloured", "multicolored"));
    assert.ok(sameMake("Merc", "MERCEDES-BENZ"));
    assert.ok(sameMake("Mercedes Benz C200", "Mercedes-Benz"));
    assert.ok(sameMake("vw", "Volkswagen"));
    assert.ok(sameMake("Ford Focus", "FORD"));
    assert.ok(sameMake("Škoda", "SKODA"));
    assert.ok(sameMake("Range Rover", "LAND ROVER"));
    assert.ok(!sameMake("Ford", "Vauxhall"));
    assert.ok(!sameColour("Silver", "Grey"));
    assert.ok(!sameColour("", ""));
    assert.ok(!sameMake("", ""));
  });

  it("compares symmetrically and ignores case (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        assert.equal(sameMake(a, b), sameMake(b, a));
        assert.equal(sameColour(a, b), sameColour(b, a));
        assert.equal(canonicalMake(a.toUpperCase()), canonicalMake(a.toLowerCase()));
        assert.equal(canonicalColour(a.toUpperCase()), canonicalColour(a.toLowerCase()));
      }),
    );
  });

  it("matches when every sighting that gives a make or colour agrees", () => {
    const check = checkKeeperMatch({ make: "MERCEDES-BENZ", colour: "GREY" }, [
      { id: 1, make: "Merc", colour: "Gray" },
      { id: 2, make: null, colour: "Grey" },
      { id: 3, make: "Mercedes", colour: null },
    ]);
    assert.deepEqual(check, { matches: true, problems: [], conflicting: [] });
  });

  it("refuses when a sighting records a different make or colour, and names it", () => {
    const check = checkKeeperMatch({ make: "Ford", colour: "Red" }, [
      { id: 1, make: "Ford", colour: "Red" },
      { id: 2, make: "BMW", colour: "Black" },
    ]);
    assert.equal(check.matches, false);
    assert.deepEqual(check.conflicting, [2]);
    assert.equal(check.problems.length, 2);
  });

  it("refuses when no sighting gives a make or a colour to compare", () => {
    const check = checkKeeperMatch({ make: "Ford", colour: "Red" }, [{ id: 1, make: null, colour: "Red" }]);
    assert.equal(check.matches, false);
    assert.match(check.problems[0]!, /make/);
  });
});

describe("vehicle register: escalation and status", () => {
  it("flags sightings in the target or buffer after the letter was sent", () => {
    const sentAt = new Date(NOW.getTime() - 10 * DAY).toISOString();
    const before = sighting(24 * 20);
    const afterTarget = sighting(24 * 2);
    const afterBuffer = sighting(24, { areaRole: "buffer" });
    const afterOutside = sighting(12, { areaRole: null });
    assert.deepEqual(escalatingSightings([before, afterTarget, afterBuffer, afterOutside], sentAt), [afterTarget, afterBuffer]);
    assert.deepEqual(escalatingSightings([afterTarget], null), [], "no letter sent, nothing to escalate");
  });

  it("gives the letter's state first, then what the sightings justify", () => {
    assert.equal(vehicleStatus(null, { proposed: false }, false), "watching");
    assert.equal(vehicleStatus(null, { proposed: true }, false), "proposed");
    assert.equal(vehicleStatus({ status: "approved", sentAt: null }, { proposed: true }, false), "approved");
    assert.equal(vehicleStatus({ status: "sent", sentAt: NOW.toISOString() }, { proposed: false }, false), "sent");
    assert.equal(vehicleStatus({ status: "sent", sentAt: NOW.toISOString() }, { proposed: false }, true), "escalated");
  });
});

describe("vehicle register: erasure", () => {
  it("is due 90 days after the sighting, unless the sighting is part of a letter", () => {
    const seenAt = "2026-03-01T21:00:00.000Z";
    assert.equal(erasureDueAt(seenAt).toISOString(), "2026-05-30T21:00:00.000Z");
    assert.equal(isDueForErasure(seenAt, false, new Date("2026-05-30T20:59:59.000Z")), false);
    assert.equal(isDueForErasure(seenAt, false, new Date("2026-05-30T21:00:00.000Z")), true);
    assert.equal(isDueForErasure(seenAt, true, new Date("2027-01-01T00:00:00.000Z")), false);
  });

  it("the cutoff and the per-sighting rule agree (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 * 60 }), fc.boolean(), (minutesAgo, inLetter) => {
        const seenAt = new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
        assert.equal(isDueForErasure(seenAt, inLetter, NOW), !inLetter && seenAt <= erasureCutoff(NOW));
      }),
    );
  });
});
