import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRealDate, londonToUtc, utcToLondonParts } from "./time.ts";

describe("UK time", () => {
  it("converts wall-clock times in winter (GMT) and summer (BST)", () => {
    assert.equal(londonToUtc(2026, 1, 15, 21, 30).toISOString(), "2026-01-15T21:30:00.000Z");
    assert.equal(londonToUtc(2026, 7, 15, 21, 30).toISOString(), "2026-07-15T20:30:00.000Z");
  });

  it("handles the days the clocks change", () => {
    assert.equal(londonToUtc(2026, 3, 29, 3, 0).toISOString(), "2026-03-29T02:00:00.000Z");
    assert.equal(londonToUtc(2026, 10, 25, 0, 30).toISOString(), "2026-10-24T23:30:00.000Z");
  });

  it("round-trips", () => {
    for (const iso of ["2026-07-15T20:30:00.000Z", "2026-12-01T08:05:00.000Z"]) {
      const p = utcToLondonParts(iso);
      assert.equal(londonToUtc(p.year, p.month, p.day, p.hour, p.minute).toISOString(), iso);
    }
  });

  it("knows real dates", () => {
    assert.equal(isRealDate(2026, 2, 29), false);
    assert.equal(isRealDate(2028, 2, 29), true);
    assert.equal(isRealDate(2026, 13, 1), false);
  });
});
