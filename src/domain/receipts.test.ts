import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import { hashReceiptCode, newReceiptCode, newReportReference, normaliseReceiptCode } from "./receipts.ts";

describe("receipt codes", () => {
  it("are 16 characters of Crockford base32 in groups of four, and practically never repeat", () => {
    const codes = new Set(Array.from({ length: 5000 }, () => newReceiptCode()));
    assert.equal(codes.size, 5000);
    for (const code of [...codes].slice(0, 50)) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });

  it("read back however people type them", () => {
    const code = "7K3M-9QXA-2BCD-EF01";
    assert.equal(normaliseReceiptCode("7k3m 9qxa 2bcd ef01"), "7K3M9QXA2BCDEF01");
    assert.equal(normaliseReceiptCode(code), "7K3M9QXA2BCDEF01");
    assert.equal(normaliseReceiptCode("7K3M-9QXA-2BCD-EFOl"), "7K3M9QXA2BCDEF01", "O read as 0, l as 1");
    assert.equal(normaliseReceiptCode("too short"), null);
    assert.equal(normaliseReceiptCode("7K3M-9QXA-2BCD-EF0U"), null, "U is not in the alphabet");
  });

  it("are stored as a keyed hash that needs the key to recompute", () => {
    const key = crypto.randomBytes(32);
    const other = crypto.randomBytes(32);
    const normalised = normaliseReceiptCode(newReceiptCode())!;
    assert.equal(hashReceiptCode(key, normalised), hashReceiptCode(key, normalised));
    assert.notEqual(hashReceiptCode(key, normalised), hashReceiptCode(other, normalised));
    assert.ok(!hashReceiptCode(key, normalised).includes(normalised));
  });

  it("give reports short random references", () => {
    assert.match(newReportReference(), /^OB-[0-9A-HJKMNP-TV-Z]{7}$/);
  });
});
