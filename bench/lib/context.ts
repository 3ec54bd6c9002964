// The options every workload is run with, parsed once by bench/run.ts.
import type { Dialect } from "../../src/db/database.ts";

export interface BenchContext {
  quick: boolean;
  /** Also import and measure at 10M rows (long: see docs/performance.md). */
  tenMillion: boolean;
  dialects: Dialect[];
  /** Repetitions of each measurement (min/median/max are over these). */
  repeat: number;
  /** Seconds of each HTTP load run. */
  loadSeconds: number;
  /** Rows of the main import benchmark. */
  importRows: number;
  log(message: string): void;
}
