import type { State } from "../domain/types.ts";

/**
 * The generated views written on the ref with every transaction (DESIGN §6).
 * Pure: same state, same bytes.
 */
export function renderViews(_state: State): Record<string, string> {
  return {};
}
