// Where the real police.uk files live on every developer's machine and in CI: beside the
// repository, never inside it (they are public data under the Open Government Licence v3.0,
// and too large to commit). OPENBEAT_POLICE_UK_DATA points elsewhere.
import path from "node:path";
import { PROJECT_ROOT as root } from "../../paths.ts";

/** The police-uk data folder (holding essex-2018/ and others). */
export function policeUkDataFolder(environment: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(environment.OPENBEAT_POLICE_UK_DATA ?? path.join(root, "../shared/data/police-uk"));
}

