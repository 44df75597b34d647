import type { State } from "../domain/types.ts";
import { renderBoard } from "./board.ts";
import { STATE_SECTIONS } from "./sections.ts";
import { composeState, viewInput, type ViewHelp } from "./state-md.ts";

export type { ViewHelp } from "./state-md.ts";
export { ViewIndex } from "./view-index.ts";

/**
 * The generated views written on the ref with every transaction (DESIGN §6).
 * Pure: same state, same bytes. "Now" is the newest event's time, never the wall clock.
 * `help`: work a long-lived store kept for this state (ready order and unblock counts,
 * ready-memo.ts; the view index, view-index.ts), so a write does not look at every task.
 */
export function renderViews(state: State, help: ViewHelp = {}): Record<string, string> {
  const view = viewInput(state, help);
  return { "STATE.md": composeState(state, STATE_SECTIONS, view), "BOARD.md": renderBoard(state, view.index) };
}
