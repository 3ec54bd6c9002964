// The demo's staff accounts as printed at start and by `openbeat demo`: each password, and for
// roles that sign in with an authenticator, its key and the otpauth URI an app takes (paste it,
// or make a QR code of it), so nobody types 32 letters.
import { ROLE_NAMES } from "../auth/policy.ts";
import { provisioningUri } from "../auth/two-factor.ts";
import type { DemoAccount } from "./demo.service.ts";

export function demoAccountLines(accounts: readonly DemoAccount[]): string[] {
  return accounts.flatMap((a) => [
    `  ${ROLE_NAMES[a.role].padEnd(24)} ${a.email.padEnd(34)} ${a.password}${a.twoFactorKey ? `   two-factor key: ${a.twoFactorKey}` : ""}`,
    ...(a.twoFactorKey ? [`  ${"".padEnd(24)} ${provisioningUri(a.twoFactorKey, a.email)}`] : []),
  ]);
}
