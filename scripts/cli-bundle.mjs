// The command line runs as JavaScript bundled by esbuild from src/, not through tsx's loader: the
// loader's thread and the sources it transforms cost about 60 MB of every command's memory (the
// police.uk import must stay under 200 MB) and a second of start-up. The bundle is rebuilt, in
// about half a second, whenever a source file changes, so there is still no build step between
// an edit or a clone and a run. Each set of sources gets its own folder (build/cli/STAMP/), made
// under a temporary name and renamed into place, so processes starting together never see half
// a bundle and a running process never loses a chunk it has yet to load.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildFolder = path.join(root, "build", "cli");
/** Bundles of older sources are removed once they are this old (a long-running server may still need its chunks). */
const KEEP_OLD_BUNDLES_MS = 7 * 24 * 3600_000;

function sourceFiles(folder, found = []) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) sourceFiles(full, found);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) found.push(full);
  }
  return found;
}

/** Names the sources as they are now: any edit, added or removed file gives a new stamp. */
function stampOf() {
  const hash = crypto.createHash("sha256");
  const inputs = [...sourceFiles(path.join(root, "src")), path.join(root, "package-lock.json"), fileURLToPath(import.meta.url)];
  for (const file of inputs.sort()) {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    hash.update(`${path.relative(root, file)}\0${stat?.size ?? -1}\0${stat?.mtimeMs ?? -1}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

async function build(target) {
  const esbuild = await import("esbuild");
  const temporary = `${target}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  await esbuild.build({
    // The police.uk import runs in a worker thread, from an entry of its own.
    entryPoints: { main: path.join(root, "src/cli/main.ts"), "import-worker": path.join(root, "src/modules/imports/import.worker.ts") },
    outdir: temporary,
    bundle: true,
    // The web server's modules are a chunk of their own, loaded only by `serve`.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies load from node_modules as they are (native modules cannot be bundled).
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
  try {
    fs.renameSync(temporary, target);
  } catch (error) {
    // Another process finished the same bundle first: theirs is as good.
    fs.rmSync(temporary, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, "main.js"))) throw error;
  }
}

function removeOldBundles(current) {
  for (const name of fs.readdirSync(buildFolder)) {
    const folder = path.join(buildFolder, name);
    if (folder === current) continue;
    try {
      if (Date.now() - fs.statSync(folder).mtimeMs > KEEP_OLD_BUNDLES_MS) fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** The URL of the command line's entry module, built first if the sources changed. */
export async function cliEntry() {
  const target = path.join(buildFolder, stampOf());
  if (!fs.existsSync(path.join(target, "main.js"))) {
    fs.mkdirSync(buildFolder, { recursive: true });
    await build(target);
    removeOldBundles(target);
  }
  return pathToFileURL(path.join(target, "main.js")).href;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(await cliEntry());
