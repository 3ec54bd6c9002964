import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { displayRegistration, normaliseRegistration, RegistrationError } from "./registrations.ts";

describe("registrations", () => {
  it("normalises as residents type them: any case, spaces and dashes", () => {
    assert.deepEqual(normaliseRegistration(" ab12 cde "), { normalised: "AB12CDE", format: "current" });
    assert.deepEqual(normaliseRegistration("ab-12-cde"), { normalised: "AB12CDE", format: "current" });
  });

  it("recognises the current, prefix, suffix and dateless formats", () => {
    const cases: Array<[string, string]> = [
      ["AB12CDE", "current"],
      ["BD51SMR", "current"],
      ["A123BCD", "prefix"],
      ["P7ABC", "prefix"],
      ["ABC123D", "suffix"],
      ["XYZ9A", "suffix"],
      ["1234AB", "dateless"],
      ["ABC1", "dateless"],
      ["A1", "dateless"],
    ];
    for (const [plate, format] of cases) assert.equal(normaliseRegistration(plate).format, format, plate);
  });

  it("keeps but flags plates in no UK format", () => {
    assert.deepEqual(normaliseRegistration("QQ12ABC"), { normalised: "QQ12ABC", format: "unrecognised" });
    assert.equal(normaliseRegistration("12345678").format, "unrecognised");
  });

  it("refuses what cannot be a plate with a message that says what to type", () => {
    assert.throws(() => normaliseRegistration("AB12 CD!"), (e: Error) => e instanceof RegistrationError && /letters and numbers/.test(e.message));
    assert.throws(() => normaliseRegistration("ABCDEFGHJ"), /8 characters or fewer/);
    assert.throws(() => normaliseRegistration("   "), /Enter the registration/);
  });

  it("shows current plates with their familiar space", () => {
    assert.equal(displayRegistration(normaliseRegistration("ab12cde")), "AB12 CDE");
    assert.equal(displayRegistration(normaliseRegistration("a123bcd")), "A123BCD");
  });

  it("never throws anything but a RegistrationError, and normalising is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (input) => {
        try {
          const first = normaliseRegistration(input);
          assert.deepEqual(normaliseRegistration(first.normalised), first);
          assert.match(first.normalised, /^[A-Z0-9]{1,8}$/);
        } catch (error) {
          assert.ok(error instanceof RegistrationError);
        }
      }),
    );
  });
});
