// Receipt codes: how an anonymous resident gets back to their report. 80 random bits in
// Crockford base32 (no I, L, O, U: nothing to misread), shown once, stored only as a keyed hash.
import crypto from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function randomBase32(length: number): string {
  const bytes = crypto.randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

export function newReceiptCode(): string {
  return randomBase32(16).match(/.{4}/g)!.join("-");
}

/** Reads a code as people type it: any case, spaces or dashes, O for 0 and I or L for 1. */
export function normaliseReceiptCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]+/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(cleaned) ? cleaned : null;
}

export function hashReceiptCode(key: Buffer, normalisedCode: string): string {
  return crypto.createHmac("sha256", key).update(normalisedCode).digest("hex");
}

/** A short public reference for a report: random, so it says nothing about how many reports exist. */
export function newReportReference(): string {
  return `OB-${randomBase32(7)}`;
}
