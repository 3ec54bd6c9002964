// Preloaded into a measured child (node --import): writes the process's peak resident set size
// in kilobytes to OPENBEAT_PEAK_RSS_FILE as it exits, however it exits normally.
import fs from "node:fs";

const file = process.env.OPENBEAT_PEAK_RSS_FILE;
if (file) process.on("exit", () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
