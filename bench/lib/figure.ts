// What every benchmark module returns: bench/<name>.ts default-exports an
// async function resolving to Figure[]; bench/run.ts prints each as a JSON line.

export interface Figure {
  /** Dotted, stable across commits, e.g. "ingest.unix-stream.batched". */
  name: string;
  value: number;
  unit: string;
  /** What was measured and on what: enough to reproduce and compare. */
  conditions: string;
}

export type Benchmark = () => Promise<Figure[]>;
