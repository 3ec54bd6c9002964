import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answersRaiseSafeguarding, checkAnswers, DEFAULT_CATEGORIES } from "./categories.ts";

const category = (code: string) => DEFAULT_CATEGORIES.find((c) => c.code === code)!;

describe("categories", () => {
  it("hold every category PRODUCT.md names, as data, with no field for a person's appearance", () => {
    assert.deepEqual(
      DEFAULT_CATEGORIES.map((c) => c.code),
      ["kerb-crawling", "sex-work-welfare", "drug-dealing", "drug-litter", "sexual-litter", "anti-social-behaviour", "vehicle-repeatedly-seen", "feeling-unsafe", "other"],
    );
    const text = JSON.stringify(DEFAULT_CATEGORIES).toLowerCase();
    for (const word of ["ethnicity", "skin", "height", "hair", "clothing", "build"]) assert.ok(!text.includes(word), word);
    assert.equal(category("sex-work-welfare").sensitive, true);
    assert.equal(category("kerb-crawling").askVehicle, true);
  });

  it("check answers against each category's own questions", () => {
    assert.deepEqual(checkAnswers(category("kerb-crawling"), { what: "circling" }), { answers: { what: "circling" }, problems: [] });
    assert.equal(checkAnswers(category("kerb-crawling"), {}).problems[0]?.question, "what");
    assert.match(checkAnswers(category("kerb-crawling"), { what: "other" }).problems[0]!.message, /Choose one of the answers/);
    assert.deepEqual(checkAnswers(category("feeling-unsafe"), { why: ["lighting", "groups", "lighting"] }).answers, { why: ["lighting", "groups"] });
    assert.match(checkAnswers(category("vehicle-repeatedly-seen"), { "times-seen": "lots" }).problems[0]!.message, /whole number/);
    assert.deepEqual(checkAnswers(category("drug-litter"), { needles: "yes", injected: "x" }).answers, { needles: "yes" }, "unknown questions are dropped");
  });

  it("open the safeguarding path when someone may be under 18 or controlled", () => {
    assert.equal(answersRaiseSafeguarding({ concerns: ["may-be-under-18"] }), true);
    assert.equal(answersRaiseSafeguarding({ concerns: ["controlled"] }), true);
    assert.equal(answersRaiseSafeguarding({ concerns: ["none"] }), false);
    assert.equal(answersRaiseSafeguarding({}), false);
  });
});
