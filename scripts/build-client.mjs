// Builds what browsers load: the theme (GOV.UK Frontend with openbeat's font and colours,
// plus Leaflet's stylesheet) and one small script bundle. Runs after every npm install/ci.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "public");
fs.mkdirSync(path.join(out, "images"), { recursive: true });

const theme = sass.compile(path.join(root, "src/web/theme/openbeat.scss"), {
  loadPaths: [path.join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
const leafletCss = fs.readFileSync(path.join(root, "node_modules/leaflet/dist/leaflet.css"), "utf8");
fs.writeFileSync(path.join(out, "openbeat.css"), `${theme.css}\n${leafletCss}`);
for (const image of fs.readdirSync(path.join(root, "node_modules/leaflet/dist/images"))) {
  fs.copyFileSync(path.join(root, "node_modules/leaflet/dist/images", image), path.join(out, "images", image));
}
fs.copyFileSync(path.join(root, "src/web/theme/favicon.svg"), path.join(out, "favicon.svg"));

await esbuild.build({
  entryPoints: [path.join(root, "src/web/client/openbeat.ts")],
  outfile: path.join(out, "openbeat.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  logLevel: "warning",
});
console.log("openbeat: built public/openbeat.css and public/openbeat.js");
