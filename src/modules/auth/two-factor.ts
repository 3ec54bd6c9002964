// Time-based one-time passwords (RFC 6238, as authenticator apps use them). The secret is kept
// encrypted; each 30-second step is accepted once, so a code seen over a shoulder is spent.
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import { decrypt, encrypt } from "../../http/encryption.ts";

const PERIOD_SECONDS = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = "openbeat"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: "openbeat", label, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

export function provisioningUri(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/** The setup link as a QR code to scan with the authenticator app: an SVG, drawn on the server (no script). */
export async function provisioningQrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2, width: 200 });
  // Named for screen readers; the key and link beside it say the same in text.
  return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the setup link for your authenticator app" focusable="false" ');
}

/** The time step a code belongs to, if it is valid now (one step either side for clock drift). */
export function matchingStep(secretBase32: string, code: string, now: Date = new Date()): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

export function codeFor(secretBase32: string, now: Date = new Date()): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}

export function sealSecret(key: Buffer, secretBase32: string): string {
  return encrypt(key, secretBase32);
}

export function openSecret(key: Buffer, sealed: string): string {
  return decrypt(key, sealed);
}
