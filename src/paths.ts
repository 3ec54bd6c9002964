// Where openbeat's own files are (views, public/, node_modules/), found by walking up from this
// module to the folder holding package.json: the same answer whether the code runs from src/
// through tsx or from the command line's bundle in build/cli/ (scripts/cli-bundle.mjs).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function projectRoot(from: string): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (fs.existsSync(path.join(folder, "package.json"))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`openbeat: no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = projectRoot(path.dirname(fileURLToPath(import.meta.url)));
