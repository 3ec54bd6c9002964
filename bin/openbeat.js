#!/usr/bin/env node
// The command line, run from a bundle of src/ that is rebuilt whenever a source file changes
// (scripts/cli-bundle.mjs): no build step stands between a clone and a run.
import { cliEntry } from "../scripts/cli-bundle.mjs";

await import(await cliEntry());
