// Every statistic checked against figures worked by hand for small tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addMonths,
  assess,
  defaultPeriods,
  monthRange,
  oddsRatio,
  overdispersion,
  spikeBeforeStart,
  totalNetEffect,
  verdict,
  weightedDisplacementQuotient,
} from "./evaluation.ts";

const close = (actual: number | null, expected: number, tolerance = 1e-3) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe("odds ratio", () => {
  // Target 40 before, 20 after; comparison 50 and 50.
  // OR = (Rb·Ca)/(Ra·Cb) = (40·50)/(20·50) = 2.
  // var(ln OR) = 1/20 + 1/40 + 1/50 + 1/50 = 0.05 + 0.025 + 0.02 + 0.02 = 0.115; se = 0.33912.
  // ln 2 = 0.69315; 1.96 × 0.33912 = 0.66466; exp(0.02849) = 1.0289, exp(1.35781) = 3.8876.
  const counts = { rb: 40, ra: 20, cb: 50, ca: 50 };

  it("is (Rb·Ca)/(Ra·Cb) with the Poisson 95% interval", () => {
    const ratio = oddsRatio(counts);
    assert.equal(ratio.value, 2);
    close(ratio.variance, 0.115, 1e-12);
    close(ratio.ci95[0], 1.0289);
    close(ratio.ci95[1], 3.8876);
    assert.equal(ratio.zeroCorrected, false);
    assert.deepEqual(ratio.ci95Adjusted, ratio.ci95, "no overdispersion: the same interval");
  });

  it("widens the second interval by the overdispersion", () => {
    // var × 2 = 0.23; se = 0.47958; 1.96 × 0.47958 = 0.93997; exp(−0.24682) = 0.7813, exp(1.63312) = 5.1198.
    const ratio = oddsRatio(counts, 2);
    close(ratio.ci95Adjusted[0], 0.7813);
    close(ratio.ci95Adjusted[1], 5.1198);
    close(ratio.ci95[0], 1.0289, 1e-3);
    assert.equal(ratio.overdispersion, 2);
  });

  it("never narrows the interval: an overdispersion below 1 counts as 1", () => {
    assert.deepEqual(oddsRatio(counts, 0.4).ci95Adjusted, oddsRatio(counts).ci95Adjusted);
  });

  it("adds 0.5 to every cell when one is zero, and says so", () => {
    // Ra = 0 → 0.5, Rb = 10.5, Ca = 5.5, Cb = 5.5: OR = (10.5 × 5.5)/(0.5 × 5.5) = 21.
    // var = 1/0.5 + 1/10.5 + 1/5.5 + 1/5.5 = 2 + 0.095238 + 0.181818 + 0.181818 = 2.458874.
    const ratio = oddsRatio({ ra: 0, rb: 10, ca: 5, cb: 5 });
    assert.equal(ratio.zeroCorrected, true);
    close(ratio.value, 21, 1e-9);
    close(ratio.variance, 2.458874, 1e-6);
    // se = 1.56808; 1.96 × 1.56808 = 3.07338; ln 21 = 3.04452; exp(−0.02886) = 0.9716, exp(6.1179) = 453.9.
    close(ratio.ci95[0], 0.9716);
    close(ratio.ci95[1], 453.9, 0.1);
  });
});

describe("overdispersion", () => {
  it("is variance/mean for a single series", () => {
    // 2, 4, 6: mean 4, sample variance ((−2)² + 0 + 2²)/2 = 4: 4/4 = 1.
    assert.equal(overdispersion([[2, 4, 6]]).value, 1);
    // 0, 10: mean 5, sample variance 50: 50/5 = 10.
    assert.equal(overdispersion([[0, 10]]).value, 10);
  });

  it("pools several series, each about its own mean", () => {
    // [1, 9]: mean 5, Σ(y − m)²/m = (16 + 16)/5 = 6.4 on 1 degree of freedom;
    // [5, 5, 5]: 0 on 2. Pooled: 6.4/3 = 2.1333.
    const pooled = overdispersion([[1, 9], [5, 5, 5]]);
    close(pooled.value, 2.1333);
    assert.equal(pooled.degreesOfFreedom, 3);
  });

  it("is never below 1, and is 1 when there are too few months to tell", () => {
    // [2, 4, 6] gives 8/4 = 2 on 2; [10, 10, 10] gives 0 on 2: 2/4 = 0.5, raised to 1.
    assert.equal(overdispersion([[2, 4, 6], [10, 10, 10]]).value, 1);
    assert.deepEqual(overdispersion([[7], [3]]), { value: 1, degreesOfFreedom: 0 });
    assert.deepEqual(overdispersion([[0, 0, 0]]), { value: 1, degreesOfFreedom: 0 });
  });
});

describe("weighted displacement quotient and total net effect", () => {
  // Target 40 → 20, comparison 50 → 50, buffer 25 → 30.
  // WDQ = (Da/Ca − Db/Cb)/(Ra/Ca − Rb/Cb) = (30/50 − 25/50)/(20/50 − 40/50) = 0.1/−0.4 = −0.25.
  // TNE = (Rb·Ca/Cb − Ra) + (Db·Ca/Cb − Da) = (40 − 20) + (25 − 30) = 15.
  const counts = { rb: 40, ra: 20, cb: 50, ca: 50, db: 25, da: 30 };

  it("reads a value between 0 and −1 as displacement with a net benefit", () => {
    const wdq = weightedDisplacementQuotient(counts);
    close(wdq.value, -0.25, 1e-12);
    assert.equal(wdq.meaningful, true);
    assert.match(wdq.reading, /net benefit/);
    close(totalNetEffect(counts), 15, 1e-12);
  });

  it("reads a positive value as diffusion of benefit, and below −1 as displacement larger than the gain", () => {
    // Buffer 25 → 20: (20/50 − 25/50)/(−0.4) = (−0.1)/(−0.4) = 0.25.
    const diffusion = weightedDisplacementQuotient({ ...counts, da: 20 });
    close(diffusion.value, 0.25, 1e-12);
    assert.match(diffusion.reading, /Diffusion of benefit/);
    // Buffer 25 → 50: (1 − 0.5)/(−0.4) = −1.25; TNE = 20 + (25 − 50) = −5.
    const displaced = weightedDisplacementQuotient({ ...counts, da: 50 });
    close(displaced.value, -1.25, 1e-12);
    assert.match(displaced.reading, /larger than the improvement/);
    close(totalNetEffect({ ...counts, da: 50 }), -5, 1e-12);
  });

  it("is not meaningful when the target did not improve relative to the comparison", () => {
    // Target 20 → 40: denominator 40/50 − 20/50 = 0.4 > 0; value (0.1)/0.4 = 0.25, not meaningful.
    const wdq = weightedDisplacementQuotient({ ...counts, rb: 20, ra: 40 });
    assert.equal(wdq.meaningful, false);
    close(wdq.value, 0.25, 1e-12);
    assert.match(wdq.reading, /Not meaningful/);
  });

  it("is undefined when the comparison had no events in a period", () => {
    const before = weightedDisplacementQuotient({ ...counts, cb: 0 });
    assert.deepEqual([before.value, before.meaningful], [null, false]);
    assert.match(before.reading, /Undefined/);
    assert.equal(weightedDisplacementQuotient({ ...counts, ca: 0 }).value, null);
    assert.equal(totalNetEffect({ ...counts, cb: 0 }), null);
    // Ca = 0 but Cb > 0: TNE = (40·0/50 − 20) + (25·0/50 − 30) = −50.
    assert.equal(totalNetEffect({ ...counts, ca: 0 }), -50);
  });

  it("is undefined when the target changed exactly as the comparison did", () => {
    assert.equal(weightedDisplacementQuotient({ ...counts, ra: 40 }).value, null);
  });
});

describe("periods and months", () => {
  it("counts months across years", () => {
    assert.equal(addMonths("2018-04", -12), "2017-04");
    assert.equal(addMonths("2018-01", -1), "2017-12");
    assert.equal(addMonths("2018-12", 1), "2019-01");
    assert.deepEqual(monthRange("2017-11", "2018-02"), ["2017-11", "2017-12", "2018-01", "2018-02"]);
    assert.deepEqual(monthRange("2018-03", "2018-02"), []);
  });

  it("takes the 12 months before the start and everything since; a mid-month start leaves its month out", () => {
    assert.deepEqual(defaultPeriods("2018-04-01"), { before: { from: "2017-04", to: "2018-03" }, after: { from: "2018-04", to: null }, transition: null });
    assert.deepEqual(defaultPeriods("2018-04-15", "2018-09-30"), {
      before: { from: "2017-04", to: "2018-03" },
      after: { from: "2018-05", to: "2018-09" },
      transition: "2018-04",
    });
  });
});

describe("verdict", () => {
  const ratio = (counts: { ra: number; rb: number; ca: number; cb: number }, dispersion = 1) => oddsRatio(counts, dispersion);
  const noSpike = { checked: true, spike: false, lastMean: 10, earlierMean: 10 };

  it("says too few events to assess for small counts", () => {
    const counts = { rb: 4, ra: 2, cb: 30, ca: 30 };
    assert.equal(assess(counts, ratio(counts)), "too-few");
    const text = verdict({
      allCrime: { counts, oddsRatio: ratio(counts), wdq: weightedDisplacementQuotient({ ...counts, da: 0, db: 0 }) },
      antiSocialBehaviour: null,
      monthsBefore: 12,
      monthsAfter: 6,
      spike: noSpike,
      policeGeneratedRises: [],
    });
    assert.match(text, /^Too few events to assess/);
  });

  it("uses the adjusted interval: a change within month-to-month variation is not enough evidence", () => {
    const counts = { rb: 40, ra: 20, cb: 50, ca: 50 };
    assert.equal(assess(counts, ratio(counts)), "improved", "the Poisson interval alone excludes 1");
    assert.equal(assess(counts, ratio(counts, 2)), "no-clear-change", "the adjusted one does not");
    const text = verdict({
      allCrime: { counts, oddsRatio: ratio(counts, 2), wdq: weightedDisplacementQuotient({ ...counts, da: 30, db: 25 }) },
      antiSocialBehaviour: null,
      monthsBefore: 12,
      monthsAfter: 6,
      spike: noSpike,
      policeGeneratedRises: [],
    });
    assert.match(text, /^Not enough evidence yet/);
    assert.doesNotMatch(text, /worked/i);
  });

  it("reports a relative fall as evidence, not proof, and warns after a spike", () => {
    const counts = { rb: 200, ra: 100, cb: 200, ca: 200 };
    const text = verdict({
      allCrime: { counts, oddsRatio: ratio(counts), wdq: weightedDisplacementQuotient({ ...counts, da: 60, db: 50 }) },
      antiSocialBehaviour: { counts, oddsRatio: ratio(counts) },
      monthsBefore: 12,
      monthsAfter: 6,
      spike: { checked: true, spike: true, lastMean: 30, earlierMean: 12 },
      policeGeneratedRises: ["Drugs"],
    });
    assert.match(text, /fell in the target area relative to the comparison area/);
    assert.match(text, /not proof/);
    assert.match(text, /regression to the mean/);
    assert.match(text, /Drugs rose in the target/);
    assert.match(text, /Anti-social behaviour \(incidents, reported on its own\): fell/);
  });
});

describe("spike before the start", () => {
  it("needs six months before the start", () => {
    assert.equal(spikeBeforeStart([5, 5, 20]).checked, false);
  });

  it("finds a spike in the last three months, and none in a flat series", () => {
    // Earlier mean 10, last mean 30; se = √(10 × (1/3 + 1/3)) = 2.58; 20 > 5.16 and 30 > 12.5.
    const spike = spikeBeforeStart([10, 10, 10, 30, 30, 30]);
    assert.deepEqual(spike, { checked: true, spike: true, lastMean: 30, earlierMean: 10 });
    assert.equal(spikeBeforeStart([10, 12, 9, 11, 10, 12]).spike, false);
  });
});
