import type { State } from "../domain/types.ts";
import { renderBoard } from "./board.ts";
import { STATE_SECTIONS } from "./sections.ts";
import { composeState } from "./state-md.ts";

/**
 * The generated views written on the ref with every transaction (DESIGN §6).
 * Pure: same state, same bytes. "Now" is the newest event's time, never the wall clock.
 * `unblocks`: counts a long-lived store kept for this state's dependency graph (ready-memo.ts).
 */
export function renderViews(state: State, unblocks?: Map<string, number>): Record<string, string> {
  return { "STATE.md": composeState(state, STATE_SECTIONS, unblocks), "BOARD.md": renderBoard(state) };
}
