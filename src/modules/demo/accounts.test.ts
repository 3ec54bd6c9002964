import assert from "node:assert/strict";
import { it } from "node:test";
import * as OTPAuth from "otpauth";
import { newTotpSecret } from "../auth/two-factor.ts";
import { demoAccountLines } from "./accounts.ts";

it("prints each demo account's two-factor key with the otpauth URI an authenticator app takes", () => {
  const key = newTotpSecret();
  const lines = demoAccountLines([
    { role: "officer", email: "officer@demo.openbeat.test", password: "aaaa-bbbb", twoFactorKey: null },
    { role: "auditor", email: "auditor@demo.openbeat.test", password: "cccc-dddd", twoFactorKey: key },
  ]);
  assert.equal(lines.length, 3, "one line for the officer, two for the auditor");
  const uri = lines[2]!.trim();
  const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
  assert.equal(parsed.secret.base32, key);
  assert.equal(parsed.issuer, "openbeat");
  assert.equal(parsed.label, "auditor@demo.openbeat.test");
});
