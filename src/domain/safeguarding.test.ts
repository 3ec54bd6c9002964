import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AGE_BAND_CODES,
  assertCanClose,
  assertCanReopen,
  assertConsentChange,
  assertReferralTransition,
  checkDutyRecord,
  currentAgreement,
  dutiesFor,
  hasTraffickingIndicators,
  INDICATOR_CODES,
  INDICATOR_GROUPS,
  isReasonReference,
  openDuties,
  outstandingDuties,
  referralBasis,
  REFERRAL_SERVICES,
  SafeguardingRuleError,
  type ReferralCheck,
  type UrgentDuties,
} from "./safeguarding.ts";

const now = new Date("2026-03-27T10:00:00Z");

describe("the urgent path", () => {
  it("opens child safeguarding, the NRM and the duty to notify at once for anyone who may be under 18", () => {
    assert.deepEqual(dutiesFor("under-18", []), ["child-safeguarding", "nrm", "duty-to-notify"]);
  });

  it("opens the NRM and the duty to notify for an adult with signs of trafficking, and nothing for other signs alone", () => {
    assert.deepEqual(dutiesFor("25-34", ["documents-held"]), ["nrm", "duty-to-notify"]);
    assert.deepEqual(dutiesFor("25-34", ["survival-sex", "violence-from-buyers"]), []);
    assert.deepEqual(dutiesFor("not-known", []), []);
    assert.equal(hasTraffickingIndicators(["forced-to-sell-sex"]), true);
    assert.equal(hasTraffickingIndicators(["partner-pressure"]), false);
  });

  it("keeps duties already opened when the case is corrected, and opens new ones with the time", () => {
    const first = openDuties({}, "25-34", ["debt-bondage"], now);
    assert.deepEqual(first.opened, ["nrm", "duty-to-notify"]);
    assert.equal(first.duties.nrm?.openedAt, now.toISOString());
    const corrected = openDuties(first.duties, "25-34", [], new Date("2026-03-28T10:00:00Z"));
    assert.deepEqual(corrected.opened, []);
    assert.deepEqual(Object.keys(corrected.duties), ["nrm", "duty-to-notify"]);
    const child = openDuties(corrected.duties, "under-18", [], new Date("2026-03-28T10:00:00Z"));
    assert.deepEqual(child.opened, ["child-safeguarding"]);
    assert.equal(child.duties.nrm?.openedAt, now.toISOString());
  });

  it("lists the duties not yet recorded", () => {
    const { duties } = openDuties({}, "under-18", [], now);
    duties.nrm = { ...duties.nrm!, doneOn: "2026-03-27", reference: "NRM 123" };
    assert.deepEqual(outstandingDuties(duties), ["child-safeguarding", "duty-to-notify"]);
  });

  it("lets only an adult decline an NRM referral", () => {
    assert.equal(checkDutyRecord("nrm", { outcome: "adult-did-not-consent", child: false }), "adult-did-not-consent");
    assert.equal(checkDutyRecord("nrm", { outcome: "", child: true }), "referred");
    assert.throws(() => checkDutyRecord("nrm", { outcome: "adult-did-not-consent", child: true }), /child needs no consent/);
    assert.equal(checkDutyRecord("duty-to-notify", { outcome: "anything", child: false }), null);
  });
});

describe("consent to share", () => {
  const base: ReferralCheck = { consent: "given", duties: {}, ageBand: "25-34", caseStatus: "open", service: "housing" };

  it("allows a referral with consent", () => {
    assert.equal(referralBasis(base), "consent");
  });

  it("refuses a referral without consent, saying how to proceed", () => {
    for (const consent of ["not-asked", "refused"] as const) {
      assert.throws(
        () => referralBasis({ ...base, consent }),
        (error: unknown) => error instanceof SafeguardingRuleError && error.field === "consent" && /consent/.test(error.message) && /urgent path/.test(error.message),
      );
    }
  });

  it("stops further sharing once consent is withdrawn, saying that what was shared stays shared", () => {
    assert.throws(() => referralBasis({ ...base, consent: "withdrawn", consentWithdrawnOn: "2026-03-20" }), /withdrew their consent to share on 2026-03-20.*stays with the agencies/);
  });

  it("needs no consent on the urgent path", () => {
    const { duties } = openDuties({}, "under-18", [], now);
    for (const consent of ["not-asked", "refused", "withdrawn"] as const) {
      assert.equal(referralBasis({ ...base, ageBand: "under-18", consent, duties, service: "sexual-violence-support" }), "urgent");
    }
  });

  it("does not send a child to adult safeguarding, nor refer from a closed case", () => {
    const { duties } = openDuties({}, "under-18", [], now);
    assert.throws(() => referralBasis({ ...base, ageBand: "under-18", duties, service: "adult-safeguarding" }), /18 or over/);
    assert.throws(() => referralBasis({ ...base, caseStatus: "closed" }), /reopen/);
    assert.throws(() => referralBasis({ ...base, service: "tattoo-removal" }), /Choose the agency/);
  });

  it("allows consent to be given, refused, withdrawn and given again, but not withdrawn before it was given", () => {
    assertConsentChange("not-asked", "given");
    assertConsentChange("not-asked", "refused");
    assertConsentChange("given", "withdrawn");
    assertConsentChange("withdrawn", "given");
    assert.throws(() => assertConsentChange("not-asked", "withdrawn"), /can only change to given or refused/);
    assert.throws(() => assertConsentChange("given", "given"), /already/);
  });
});

describe("services, agreements, cases and referrals", () => {
  it("offers the five services partner agencies provide", () => {
    assert.deepEqual(Object.keys(REFERRAL_SERVICES), ["drug-service", "housing", "sexual-violence-support", "exit-service", "adult-safeguarding"]);
    assert.match(REFERRAL_SERVICES["adult-safeguarding"], /Care Act 2014 s\.42/);
  });

  it("uses the agreement in force today, from its signing day to its expiry day", () => {
    const agreements = [
      { id: 1, signedOn: "2025-01-01", expiresOn: "2025-12-31" },
      { id: 2, signedOn: "2026-01-01", expiresOn: "2026-12-31" },
      { id: 3, signedOn: "2026-06-01", expiresOn: "2027-05-31" },
    ];
    assert.equal(currentAgreement(agreements, "2026-03-27")?.id, 2);
    assert.equal(currentAgreement(agreements, "2026-12-31")?.id, 3);
    assert.equal(currentAgreement(agreements, "2027-06-01"), null);
  });

  it("closes a case only when every urgent duty is recorded and a reason is given", () => {
    const { duties } = openDuties({}, "25-34", ["injuries"], now);
    assert.throws(() => assertCanClose("open", duties, "support-in-place"), /Record the National Referral Mechanism referral and the Duty to notify/);
    const recorded: UrgentDuties = Object.fromEntries(Object.entries(duties).map(([k, v]) => [k, { ...v, doneOn: "2026-03-27" }]));
    assert.throws(() => assertCanClose("open", recorded, ""), /Choose why/);
    assertCanClose("open", recorded, "support-in-place");
    assert.throws(() => assertCanClose("closed", recorded, "support-in-place"), /already closed/);
    assertCanReopen("closed");
    assert.throws(() => assertCanReopen("open"), /already open/);
  });

  it("moves a referral from sent to accepted or declined, and from accepted to closed", () => {
    assertReferralTransition("sent", "accepted");
    assertReferralTransition("sent", "declined");
    assertReferralTransition("accepted", "closed");
    assert.throws(() => assertReferralTransition("sent", "closed"), /can only be accepted or declined/);
    assert.throws(() => assertReferralTransition("declined", "accepted"), /nothing more can change/);
  });

  it("has an age band for a possible child and indicators in the NRM's groups", () => {
    assert.ok(AGE_BAND_CODES.includes("under-18"));
    assert.deepEqual(
      INDICATOR_GROUPS.map((g) => g.code),
      ["control", "movement", "force", "exploitation"],
    );
    assert.equal(new Set(INDICATOR_CODES).size, INDICATOR_CODES.length);
  });

  it("takes a case or incident number as a reason's reference, never a bare name", () => {
    assert.equal(isReasonReference("SG-000012"), true);
    assert.equal(isReasonReference("42/12345/26"), true);
    assert.equal(isReasonReference("Jane Smith"), false);
    assert.equal(isReasonReference("<b>1</b>"), false);
  });
});
