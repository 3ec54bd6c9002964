// Who runs this openbeat: the force and team, their contact details and the letterhead, as data
// (a JSON file named by OPENBEAT_DEPLOYMENT), as FixMyStreet keeps each council's settings. A
// keeper who receives a warning letter, a resident reading a page, must be able to tell who it
// is from and how to check it is real. Without a file, development and the demo use an identity
// that says on its face it is fictional; production uses none, and refuses to print letters.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const line = z.string().trim().min(1).max(120);

export const deploymentSchema = z.object({
  force: z.object({ name: line.describe("The force's name, as on its letters: Essex Police") }),
  team: z.object({ name: line.describe("The team running the operation: Southend Central Community Policing Team") }),
  contact: z.object({
    /** The non-emergency number residents and keepers call. */
    phone: z.string().trim().min(3).max(40),
    web: z.string().trim().url().optional(),
    email: z.string().trim().email().optional(),
    postalAddress: z.array(line).min(1).max(6),
  }),
  /** A PNG for the letterhead (a path, relative to the file). */
  logo: z.string().trim().optional(),
  /** Set only for the demo: every page and letter then says the identity is invented. */
  fictional: z.boolean().default(false),
});

export type Deployment = z.infer<typeof deploymentSchema> & { logoFile: string | null };

export class DeploymentError extends Error {}

/** The demo's identity: invented, and saying so wherever it appears. */
export const FICTIONAL_DEPLOYMENT: Deployment = {
  force: { name: "Demo Constabulary (fictional)" },
  team: { name: "Ambleside neighbourhood team (fictional)" },
  contact: { phone: "101 (a real deployment gives its force's number)", postalAddress: ["This is a demonstration: no letter is real", "No real address"] },
  fictional: true,
  logoFile: null,
};

/** The identity in `file`, checked, with what to fix named field by field. */
export function readDeployment(file: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new DeploymentError(`OPENBEAT_DEPLOYMENT: ${file} could not be read as JSON (${(error as Error).message}).`);
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(the file)"}: ${issue.message}`);
    throw new DeploymentError(`OPENBEAT_DEPLOYMENT: ${file} needs fixing:\n  ${problems.join("\n  ")}`);
  }
  const logoFile = parsed.data.logo ? path.resolve(path.dirname(file), parsed.data.logo) : null;
  if (logoFile && !/\.png$/i.test(logoFile)) throw new DeploymentError(`OPENBEAT_DEPLOYMENT: the logo must be a PNG file, not ${parsed.data.logo}.`);
  if (logoFile && !fs.existsSync(logoFile)) throw new DeploymentError(`OPENBEAT_DEPLOYMENT: the logo ${logoFile} does not exist.`);
  return { ...parsed.data, logoFile };
}

/** The deployment's identity: from its file, or the fictional one outside production, or none. */
export function deploymentFor(file: string | undefined, production: boolean): Deployment | null {
  if (file) return readDeployment(file);
  return production ? null : FICTIONAL_DEPLOYMENT;
}
