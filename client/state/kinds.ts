// Kind lookups for untrusted input, and which kinds count as errors (the ones
// the error toggle squelches).

import { KIND_INDEX, type Kind } from '../../server/protocol/index.js';

/** Indexes (into KINDS) of deferrals, bounces and rejections. */
export const ERROR_KINDS: ReadonlySet<number> = new Set([KIND_INDEX.deferral, KIND_INDEX.bounce, KIND_INDEX.rejection]);

/** Index into KINDS, or undefined for anything that is not a known kind (including "constructor"). */
export function kindIndexOf(kind: unknown): number | undefined {
  return typeof kind === 'string' && Object.hasOwn(KIND_INDEX, kind) ? KIND_INDEX[kind as Kind] : undefined;
}
