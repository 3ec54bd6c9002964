import crypto from "node:crypto";
import { hash, verify, Algorithm } from "@node-rs/argon2";

// OWASP's argon2id baseline (19 MiB, 2 passes): slow enough for guessing, fast enough for a phone sign-in.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A one-time password people can read out and type: four groups of four letters and digits. */
export function newOneTimePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(16);
  let out = "";
  for (let i = 0; i < 16; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out.match(/.{4}/g)!.join("-");
}

export const MINIMUM_PASSWORD_LENGTH = 12;

export function passwordProblem(password: string): string | null {
  if (password.length < MINIMUM_PASSWORD_LENGTH) return `Password must be ${MINIMUM_PASSWORD_LENGTH} characters or more`;
  if (password.length > 200) return "Password must be 200 characters or fewer";
  return null;
}
