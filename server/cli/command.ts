// What a subcommand module exports. main.ts lazy-loads the module only for the
// command being run, so `mtaviz parse` never pulls in the HTTP stack.

import type { OptionTable } from './options.js';
import type { Resolved } from './resolve.js';

export interface CommandModule<T extends OptionTable = OptionTable> {
  readonly usage: string;
  readonly summary: string;
  readonly options: T;
  /** Titled groups of option keys for --help. */
  readonly sections?: Record<string, string[]>;
  /** Resolves to the process exit status. */
  run(resolved: Resolved<T>): Promise<number>;
}
