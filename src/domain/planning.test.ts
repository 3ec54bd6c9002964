import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { availableHours, budgetPosition, daysBetween, demandHours, hoursLeftByWeek, plannedHoursFor, summariseShortfall, type PlanningSettings } from "./planning.ts";

const settings: PlanningSettings = {
  capacityHoursPerWeek: 600,
  abstractionRate: 0.25,
  hoursPerIncident: { emergency: 2.5, priority: 2, scheduled: 1.5, resolved: 0 },
  hourlyRatePence: 4500,
};

describe("hours left for the operation", () => {
  it("takes abstraction off capacity, then the hours each forecast incident takes", () => {
    // 600 × (1 − 0.25) = 450 hours available.
    assert.equal(availableHours(settings), 450);
    // 40 × 2.5 + 80 × 2 + 50 × 1.5 + 30 × 0 = 100 + 160 + 75 = 335 hours of response demand.
    assert.equal(demandHours({ emergency: 40, priority: 80, scheduled: 50, resolved: 30 }, settings), 335);
  });

  it("matches three weeks worked by hand: covered, short, and short with nothing left at all", () => {
    const weeks = hoursLeftByWeek(
      settings,
      [
        // 450 − 335 = 115 left; plan 40 → covered. Busy end: 50×2.5 + 90×2 + 50×1.5 = 380 → 70 left → still covered.
        { weekStart: "2027-05-31", incidents: { emergency: 40, priority: 80, scheduled: 50, resolved: 30 }, incidentsHigh: { emergency: 50, priority: 90, scheduled: 50, resolved: 30 } },
        // 60×2.5 + 100×2 + 50×1.5 = 150 + 200 + 75 = 425 → 25 left; plan 40 → short by 15, costing 15 × £45 = £675.
        { weekStart: "2027-07-19", incidents: { emergency: 60, priority: 100, scheduled: 50, resolved: 30 } },
        // 70×2.5 + 120×2 + 50×1.5 = 175 + 240 + 75 = 490 → −40 left; the operation gets none of its 40 hours.
        { weekStart: "2027-07-26", incidents: { emergency: 70, priority: 120, scheduled: 50, resolved: 30 } },
      ],
      () => 40,
    );
    assert.deepEqual(
      weeks.map((w) => [w.weekStart, w.available, w.demandHours, w.hoursLeft, w.planned, w.shortfall, w.shortfallCostPence, w.status]),
      [
        ["2027-05-31", 450, 335, 115, 40, 0, 0, "covered"],
        ["2027-07-19", 450, 425, 25, 40, 15, 67_500, "short"],
        ["2027-07-26", 450, 490, -40, 40, 40, 180_000, "short"],
      ],
    );
    assert.equal(weeks[0]!.demandHoursHigh, 380);
    assert.equal(weeks[0]!.hoursLeftLow, 70);
    assert.deepEqual(summariseShortfall(weeks), { weeksShort: 2, weeksAtRisk: 0, shortfallHours: 55, shortfallCostPence: 247_500, plannedHours: 120 });
  });

  it("flags a week at risk when only the busy end of the range leaves too few hours", () => {
    // Forecast: 40×2.5 + 100×2 = 300 → 150 left, plan 120: covered. Busy end: 60×2.5 + 110×2 = 370 → 80 left: 40 short.
    const [week] = hoursLeftByWeek(
      settings,
      [{ weekStart: "2027-06-07", incidents: { emergency: 40, priority: 100, scheduled: 0, resolved: 0 }, incidentsHigh: { emergency: 60, priority: 110, scheduled: 0, resolved: 0 } }],
      () => 120,
    );
    assert.equal(week!.status, "at-risk");
    assert.equal(week!.shortfall, 0);
    assert.equal(week!.shortfallIfBusy, 40);
  });

  it("plans hours only in the weeks the operation runs", () => {
    const operation = { plannedHoursPerWeek: 40, startsOn: "2027-06-02", endsOn: "2027-06-20" };
    assert.equal(plannedHoursFor(operation, "2027-05-24"), 0);
    assert.equal(plannedHoursFor(operation, "2027-05-31"), 40, "the week the operation starts in");
    assert.equal(plannedHoursFor(operation, "2027-06-14"), 40);
    assert.equal(plannedHoursFor(operation, "2027-06-21"), 0);
    assert.equal(plannedHoursFor({ ...operation, endsOn: null }, "2030-01-07"), 40);
  });
});

describe("budget", () => {
  it("works out spend, burn rate and the run-out date by hand", () => {
    // £100,000 allocated; £10,000 other spend over 140 days (20 weeks) → £500 a week.
    // No delivered hours yet. From today: 40 h × £45 = £1,800 + £500 = £2,300 a week.
    // £90,000 left ÷ (£2,300 ÷ 7 a day) = 273.9 → 273 whole days after 1 March 2027 = 29 November 2027.
    const position = budgetPosition({
      allocatedPence: 10_000_000,
      otherSpendPence: 1_000_000,
      deliveredHours: 0,
      hourlyRatePence: 4500,
      plannedHoursPerWeek: 40,
      daysElapsed: 140,
      today: "2027-03-01",
    });
    assert.equal(position.spentPence, 1_000_000);
    assert.equal(position.remainingPence, 9_000_000);
    assert.equal(position.otherSpendPerWeekPence, 50_000);
    assert.equal(position.burnPerWeekPence, 230_000);
    assert.equal(position.pastBurnPerWeekPence, 50_000);
    assert.equal(position.runsOutOn, "2027-11-29");
    assert.equal(daysBetween("2027-03-01", "2027-11-29"), 273);
  });

  it("moves the run-out date when the planned hours change", () => {
    const base = { allocatedPence: 10_000_000, otherSpendPence: 1_000_000, deliveredHours: 100, hourlyRatePence: 5000, daysElapsed: 70, today: "2027-03-01" };
    // Delivered 100 h × £50 = £5,000 costed; spent £15,000; £85,000 left; other spend £1,000 a week.
    // 20 h a week: £1,000 + £1,000 = £2,000 → 297.5 → 297 days. 60 h a week: £3,000 + £1,000 = £4,000 → 148.75 → 148 days.
    const fewer = budgetPosition({ ...base, plannedHoursPerWeek: 20 });
    const more = budgetPosition({ ...base, plannedHoursPerWeek: 60 });
    assert.equal(fewer.costedHoursPence, 500_000);
    assert.equal(fewer.remainingPence, 8_500_000);
    assert.equal(daysBetween("2027-03-01", fewer.runsOutOn!), 297);
    assert.equal(daysBetween("2027-03-01", more.runsOutOn!), 148);
  });

  it("says when the money is already spent, and never runs out with nothing going out", () => {
    const spent = budgetPosition({ allocatedPence: 100, otherSpendPence: 200, deliveredHours: 0, hourlyRatePence: 0, plannedHoursPerWeek: 0, daysElapsed: 7, today: "2027-03-01" });
    assert.equal(spent.overspent, true);
    assert.equal(spent.runsOutOn, "2027-03-01");
    const idle = budgetPosition({ allocatedPence: 100, otherSpendPence: 0, deliveredHours: 0, hourlyRatePence: 4500, plannedHoursPerWeek: 0, daysElapsed: 7, today: "2027-03-01" });
    assert.equal(idle.runsOutOn, null);
  });
});
