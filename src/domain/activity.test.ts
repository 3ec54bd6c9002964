import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkEnforcement, hoursByWeek, patrolHours, weekStart } from "./activity.ts";

const base = { occurredAt: "2026-06-10T22:00:00.000Z", areaRole: "target", hasSubject: true, priorActionsForSubject: [], authorisations: [] };

describe("enforcement preconditions", () => {
  it("refuses a Community Protection Notice without an earlier written warning to the same person", () => {
    const refused = checkEnforcement({ ...base, action: "community-protection-notice" });
    assert.equal(refused.ok, false);
    assert.match((refused as { message: string }).message, /needs a written Community Protection Warning/);
    const later = checkEnforcement({ ...base, action: "community-protection-notice", priorActionsForSubject: [{ id: 7, action: "community-protection-warning", occurredAt: "2026-06-11T00:00:00.000Z" }] });
    assert.equal(later.ok, false, "a warning after the notice does not count");
    const allowed = checkEnforcement({ ...base, action: "community-protection-notice", priorActionsForSubject: [{ id: 7, action: "community-protection-warning", occurredAt: "2026-05-01T20:00:00.000Z" }] });
    assert.deepEqual(allowed, { ok: true, priorActionId: 7, authorisationId: null });
    const noSubject = checkEnforcement({ ...base, action: "community-protection-notice", hasSubject: false });
    assert.equal((noSubject as { field: string }).field, "subjectReference");
  });

  it("refuses a closure order without a closure notice for the same premises", () => {
    assert.equal(checkEnforcement({ ...base, action: "closure-order" }).ok, false);
    assert.equal(checkEnforcement({ ...base, action: "closure-order", priorActionsForSubject: [{ id: 3, action: "closure-notice", occurredAt: "2026-06-08T10:00:00.000Z" }] }).ok, true);
  });

  it("refuses a dispersal direction without an s.34 authorisation for that area and time", () => {
    const authorisation = { id: 5, areaRole: "target", startsAt: "2026-06-10T18:00:00.000Z", endsAt: "2026-06-11T18:00:00.000Z" };
    assert.equal(checkEnforcement({ ...base, action: "dispersal-direction" }).ok, false);
    assert.deepEqual(checkEnforcement({ ...base, action: "dispersal-direction", authorisations: [authorisation] }), { ok: true, priorActionId: null, authorisationId: 5 });
    assert.equal(checkEnforcement({ ...base, action: "dispersal-direction", areaRole: "buffer", authorisations: [authorisation] }).ok, false, "another area");
    assert.equal(checkEnforcement({ ...base, action: "dispersal-direction", occurredAt: "2026-06-12T00:00:00.000Z", authorisations: [authorisation] }).ok, false, "after it expired");
  });

  it("needs nothing before a stop, an arrest or a seizure", () => {
    for (const action of ["kerb-crawler-stop", "arrest", "drug-seizure", "warning-letter", "community-protection-warning", "closure-notice"] as const) {
      assert.equal(checkEnforcement({ ...base, action, hasSubject: false }).ok, true, action);
    }
  });
});

describe("patrol hours", () => {
  it("counts hours, and splits a patrol across the Monday it crosses", () => {
    assert.equal(patrolHours("2026-06-10T20:00:00.000Z", "2026-06-10T23:30:00.000Z"), 3.5);
    assert.equal(weekStart("2026-06-14T23:00:00.000Z"), "2026-06-08");
    assert.equal(weekStart("2026-06-15T00:00:00.000Z"), "2026-06-15");
    const weeks = hoursByWeek([
      { startedAt: "2026-06-14T22:00:00.000Z", endedAt: "2026-06-15T02:00:00.000Z" },
      { startedAt: "2026-06-16T20:00:00.000Z", endedAt: "2026-06-16T21:00:00.000Z" },
    ]);
    assert.deepEqual(Object.fromEntries(weeks), { "2026-06-08": 2, "2026-06-15": 3 });
  });
});
