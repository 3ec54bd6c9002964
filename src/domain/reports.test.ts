import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertTransition, attendBy, canResidentReopen, TransitionError } from "./reports.ts";

describe("report states", () => {
  it("moves received → triaged → in progress → closed", () => {
    assert.doesNotThrow(() => assertTransition({ from: "received", to: "triaged", hasGrade: true }));
    assert.doesNotThrow(() => assertTransition({ from: "triaged", to: "in_progress", hasGrade: true }));
    assert.doesNotThrow(() => assertTransition({ from: "in_progress", to: "closed", hasGrade: true, outcome: "action-taken" }));
    assert.doesNotThrow(() => assertTransition({ from: "triaged", to: "closed", hasGrade: true, outcome: "cleared" }));
  });

  it("refuses to skip grading or to close without an outcome, saying what to do", () => {
    assert.throws(() => assertTransition({ from: "received", to: "closed", hasGrade: false, outcome: "cleared" }), (e: Error) => e instanceof TransitionError && /can only move to triaged/.test(e.message));
    assert.throws(() => assertTransition({ from: "received", to: "in_progress", hasGrade: false }), TransitionError);
    assert.throws(() => assertTransition({ from: "in_progress", to: "closed", hasGrade: true }), /Choose an outcome/);
    assert.throws(() => assertTransition({ from: "in_progress", to: "closed", hasGrade: true, outcome: "made-up" }), /Choose an outcome/);
    assert.throws(() => assertTransition({ from: "closed", to: "closed", hasGrade: true, outcome: "cleared" }), /already closed/);
  });

  it("lets a resident reopen within 28 days of closure, not after", () => {
    const closedAt = "2026-03-01T12:00:00.000Z";
    assert.equal(canResidentReopen("closed", closedAt, new Date("2026-03-29T11:59:00Z")), true);
    assert.equal(canResidentReopen("closed", closedAt, new Date("2026-03-29T12:01:00Z")), false);
    assert.equal(canResidentReopen("in_progress", null, new Date()), false);
  });

  it("gives the attendance time each grade promises", () => {
    const graded = new Date("2026-06-01T22:00:00Z");
    assert.equal(attendBy("emergency", graded, "urban")?.toISOString(), "2026-06-01T22:15:00.000Z");
    assert.equal(attendBy("emergency", graded, "rural")?.toISOString(), "2026-06-01T22:20:00.000Z");
    assert.equal(attendBy("priority", graded)?.toISOString(), "2026-06-01T23:00:00.000Z");
    assert.equal(attendBy("scheduled", graded), null);
    assert.equal(attendBy("resolved", graded), null);
  });
});
