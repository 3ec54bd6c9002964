// UK vehicle registrations as residents type them: normalised (upper case, no spaces) and
// recognised by format. Unrecognised plates are kept but flagged: foreign, personalised or
// mistyped plates are all seen on the street, and a resident cannot be expected to know which.

export type RegistrationFormat = "current" | "prefix" | "suffix" | "dateless" | "unrecognised";

export interface Registration {
  normalised: string;
  format: RegistrationFormat;
}

const FORMATS: Array<[RegistrationFormat, RegExp]> = [
  // 2001 onwards: two letters (area), two digits (age), three letters. I, Q and Z are not used as area letters.
  ["current", /^[A-HJ-PR-Y][A-HJ-PR-Y][0-9]{2}[A-HJ-PR-Z]{3}$/],
  // 1983 to 2001: one letter (age), one to three digits, three letters.
  ["prefix", /^[A-HJ-NP-Y][0-9]{1,3}[A-Z]{3}$/],
  // 1963 to 1983: three letters, one to three digits, one letter (age).
  ["suffix", /^[A-Z]{3}[0-9]{1,3}[A-HJ-NP-Y]$/],
  // Before 1963: up to four digits and up to three letters, either way round.
  ["dateless", /^([0-9]{1,4}[A-Z]{1,3}|[A-Z]{1,3}[0-9]{1,4})$/],
];

export class RegistrationError extends Error {}

export function normaliseRegistration(input: string): Registration {
  const normalised = input.toUpperCase().replace(/[\s-]+/g, "");
  if (normalised.length === 0) throw new RegistrationError("Enter the registration, or leave it blank if you did not see it");
  if (!/^[A-Z0-9]+$/.test(normalised)) {
    throw new RegistrationError("A registration can only contain letters and numbers, like AB12 CDE");
  }
  if (normalised.length > 8) throw new RegistrationError("A registration is 8 characters or fewer, like AB12 CDE");
  const format = FORMATS.find(([, pattern]) => pattern.test(normalised))?.[0] ?? "unrecognised";
  return { normalised, format };
}

/** Shown to staff: the familiar spaced form for current plates, the plain form otherwise. */
export function displayRegistration(registration: Registration): string {
  if (registration.format === "current") {
    return `${registration.normalised.slice(0, 4)} ${registration.normalised.slice(4)}`;
  }
  return registration.normalised;
}
